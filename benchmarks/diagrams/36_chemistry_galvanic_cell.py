import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Zn | Zn2+ (1 M) || Cu2+ (1 M) | Cu galvanic cell; E°cell = 1.10 V.
fig, ax = plt.subplots(figsize=(9, 6))

# Beakers
for x0, sol, col in [(0.5, 'ZnSO₄ (1 M)', '#d9d9d9'), (6.0, 'CuSO₄ (1 M)', '#9fc5e8')]:
    ax.add_patch(patches.Rectangle((x0, 0.5), 3.0, 3.0, fill=False, ec='black', lw=2))
    ax.add_patch(patches.Rectangle((x0 + 0.05, 0.55), 2.9, 2.2, fc=col, ec='none', alpha=0.8))
    ax.text(x0 + 1.5, 0.8, sol, ha='center', fontsize=11)

# Electrodes
ax.add_patch(patches.Rectangle((1.6, 1.2), 0.5, 3.2, fc='slategray', ec='black'))
ax.text(1.85, 2.0, 'Zn', ha='center', color='white', fontsize=12, fontweight='bold', rotation=90)
ax.add_patch(patches.Rectangle((7.4, 1.2), 0.5, 3.2, fc='#b45f06', ec='black'))
ax.text(7.65, 2.0, 'Cu', ha='center', color='white', fontsize=12, fontweight='bold', rotation=90)
ax.text(1.85, 4.6, 'Anode (−)', ha='center', fontsize=10)
ax.text(7.65, 4.6, 'Cathode (+)', ha='center', fontsize=10)

# Salt bridge (inverted U)
ax.add_patch(patches.Rectangle((2.9, 1.6), 0.5, 2.6, fc='white', ec='black'))
ax.add_patch(patches.Rectangle((6.1, 1.6), 0.5, 2.6, fc='white', ec='black'))
ax.add_patch(patches.Rectangle((2.9, 3.8), 3.7, 0.5, fc='white', ec='black'))
ax.text(4.75, 3.95, 'Salt bridge (KNO₃)', ha='center', fontsize=10)

# Wire and voltmeter
ax.plot([1.85, 1.85, 4.35], [4.4, 5.6, 5.6], 'k-', lw=1.8)
ax.plot([5.15, 7.65, 7.65], [5.6, 5.6, 4.4], 'k-', lw=1.8)
ax.add_patch(patches.Circle((4.75, 5.6), 0.4, fc='white', ec='black', lw=2))
ax.text(4.75, 5.6, 'V', ha='center', va='center', fontsize=14)
ax.text(4.75, 6.2, 'E°cell = 1.10 V', ha='center', fontsize=12, color='darkred')
ax.annotate('', xy=(3.6, 5.85), xytext=(2.4, 5.85), arrowprops=dict(arrowstyle='->', color='blue'))
ax.text(3.0, 6.0, 'e⁻', color='blue', fontsize=12)

ax.text(0.5, -0.2, 'Zn → Zn²⁺ + 2e⁻', fontsize=11)
ax.text(6.0, -0.2, 'Cu²⁺ + 2e⁻ → Cu', fontsize=11)

ax.set_xlim(0, 9.5)
ax.set_ylim(-0.6, 6.7)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Daniell Cell')
plt.savefig('output.png')
