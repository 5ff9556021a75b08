import numpy as np
import matplotlib.pyplot as plt

# Michaelis-Menten kinetics with Vmax = 10 μmol/min and Km = 2 mM.
Vmax, Km = 10.0, 2.0
S = np.linspace(0, 20, 400)
v = Vmax * S / (Km + S)

fig, ax = plt.subplots(figsize=(7, 5))
ax.plot(S, v, 'b-', lw=2.5, label=r'$v = \frac{V_{max}[S]}{K_m + [S]}$')
ax.axhline(Vmax, color='red', ls='--')
ax.text(12, Vmax + 0.25, r'$V_{max}$ = 10 μmol/min', color='red', fontsize=11)
ax.axhline(Vmax / 2, xmax=Km / 20, color='green', ls=':')
ax.axvline(Km, ymax=(Vmax / 2) / 12, color='green', ls=':')
ax.plot(Km, Vmax / 2, 'go')
ax.annotate(r'$K_m$ = 2 mM, $v = V_{max}/2$', xy=(Km, Vmax / 2), xytext=(5, 3.5),
            arrowprops=dict(arrowstyle='->', color='green'), color='green', fontsize=11)
ax.set_xlim(0, 20)
ax.set_ylim(0, 12)
ax.set_xlabel('[S] (mM)')
ax.set_ylabel('Reaction rate v (μmol/min)')
ax.legend(loc='lower right', fontsize=12)
ax.set_title('Michaelis–Menten Enzyme Kinetics')
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
