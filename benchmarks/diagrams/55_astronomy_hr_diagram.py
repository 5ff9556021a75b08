import numpy as np
import matplotlib.pyplot as plt

# Hertzsprung-Russell diagram. The Sun has T = 5778 K and L = 1 L_sun.
# Mark main sequence, giants, supergiants and white dwarfs.
rng = np.random.default_rng(11)

# main sequence: L ~ T^7 roughly (schematic)
T_ms = 10 ** rng.uniform(np.log10(3000), np.log10(30000), 150)
L_ms = (T_ms / 5778) ** 6.5 * 10 ** rng.normal(0, 0.25, T_ms.size)
T_g = rng.uniform(3500, 5500, 30)
L_g = 10 ** rng.uniform(1.5, 3, 30)
T_sg = rng.uniform(3500, 20000, 12)
L_sg = 10 ** rng.uniform(4.3, 5.6, 12)
T_wd = rng.uniform(8000, 25000, 20)
L_wd = 10 ** rng.uniform(-3.8, -2.2, 20)

fig, ax = plt.subplots(figsize=(8, 7))
cmap = 'RdYlBu'
for T, L, s, lab in [(T_ms, L_ms, 12, 'Main sequence'), (T_g, L_g, 40, 'Giants'),
                     (T_sg, L_sg, 80, 'Supergiants'), (T_wd, L_wd, 10, 'White dwarfs')]:
    ax.scatter(T, L, c=np.log10(T), cmap=cmap, vmin=3.4, vmax=4.5, s=s, edgecolors='k', linewidths=0.3)
    ax.text(np.median(T), np.median(L) * 3, lab, fontsize=11, ha='center', color='black',
            bbox=dict(fc='white', alpha=0.6, ec='none'))

ax.scatter([5778], [1], marker='*', s=300, color='yellow', edgecolors='black', zorder=5)
ax.annotate(r'Sun: T = 5778 K, L = 1 $L_\odot$', xy=(5778, 1), xytext=(12000, 0.02),
            arrowprops=dict(arrowstyle='->'), fontsize=10)

ax.set_xscale('log')
ax.set_yscale('log')
ax.set_xlim(40000, 2500)   # hot stars on the left
ax.set_ylim(1e-4, 1e6)
ax.set_xlabel('Surface temperature T (K)')
ax.set_ylabel(r'Luminosity ($L_\odot$)')
ax.set_title('Hertzsprung–Russell Diagram')
plt.savefig('hr_diagram.png', dpi=150, bbox_inches='tight')
