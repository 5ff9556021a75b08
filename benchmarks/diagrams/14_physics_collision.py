import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Cart A (m = 2 kg) moving at 3 m/s collides with cart B (m = 1 kg) at rest.
# They stick together. Show before and after.
mA, vA, mB = 2.0, 3.0, 1.0
vf = mA * vA / (mA + mB)

fig, ax = plt.subplots(figsize=(9, 5))


def cart(x, y, w, label, color):
    ax.add_patch(patches.Rectangle((x, y), w, 0.8, fc=color, ec='black', lw=1.5))
    ax.add_patch(patches.Circle((x + 0.25, y - 0.15), 0.15, fc='black'))
    ax.add_patch(patches.Circle((x + w - 0.25, y - 0.15), 0.15, fc='black'))
    ax.text(x + w / 2, y + 0.4, label, ha='center', va='center', fontsize=10)


# Before
ax.text(-0.5, 4.3, 'Before collision', fontsize=12, fontweight='bold')
ax.plot([-0.5, 9], [3.0, 3.0], 'k-', lw=1.5)
cart(0.5, 3.3, 1.6, 'A\nm = 2 kg', '#a4c2f4')
cart(5.0, 3.3, 1.2, 'B\nm = 1 kg', '#f9cb9c')
ax.annotate('', xy=(3.6, 3.7), xytext=(2.2, 3.7), arrowprops=dict(arrowstyle='-|>', lw=2, color='red'))
ax.text(2.9, 3.9, 'v = 3 m/s', color='red', ha='center')
ax.text(5.6, 4.3, 'v = 0 (at rest)', ha='center', fontsize=10)

# After
ax.text(-0.5, 1.8, 'After collision (stick together)', fontsize=12, fontweight='bold')
ax.plot([-0.5, 9], [0.5, 0.5], 'k-', lw=1.5)
cart(3.0, 0.8, 1.6, 'A', '#a4c2f4')
cart(4.6, 0.8, 1.2, 'B', '#f9cb9c')
ax.annotate('', xy=(7.6, 1.2), xytext=(6.0, 1.2), arrowprops=dict(arrowstyle='-|>', lw=2, color='red'))
ax.text(6.8, 1.4, f"v' = {vf:.1f} m/s", color='red', ha='center')

ax.set_xlim(-1, 9.5)
ax.set_ylim(0, 5)
ax.set_aspect('equal')
ax.axis('off')
plt.savefig('output.png')
