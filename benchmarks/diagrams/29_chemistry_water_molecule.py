import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Draw a water molecule: O-H bond length 96 pm, H-O-H bond angle 104.5°.
bond = 96
angle = 104.5
half = np.radians(angle / 2)

O = np.array([0.0, 0.0])
H1 = np.array([-bond * np.sin(half), -bond * np.cos(half)])
H2 = np.array([bond * np.sin(half), -bond * np.cos(half)])

fig, ax = plt.subplots(figsize=(7, 5))
for H in (H1, H2):
    ax.plot([O[0], H[0]], [O[1], H[1]], color='gray', lw=6, zorder=1)

ax.add_patch(patches.Circle(O, 30, facecolor='red', edgecolor='darkred', lw=2, zorder=2))
ax.text(*O, 'O', color='white', fontsize=18, ha='center', va='center', fontweight='bold', zorder=3)
for H in (H1, H2):
    ax.add_patch(patches.Circle(H, 18, facecolor='white', edgecolor='black', lw=2, zorder=2))
    ax.text(*H, 'H', fontsize=14, ha='center', va='center', zorder=3)

# lone pairs
for dx in (-18, 18):
    ax.add_patch(patches.Ellipse((dx, 42), 14, 24, angle=-dx, facecolor='none', edgecolor='blue', ls='--'))
    ax.plot([dx - 3, dx + 3], [44, 44], 'b.', markersize=5)

# bond angle arc
ax.add_patch(patches.Arc(O, 90, 90, theta1=270 - angle / 2, theta2=270 + angle / 2, color='green', lw=1.5))
ax.text(0, -58, '104.5°', ha='center', color='green', fontsize=12)

# bond length label
mid = (O + H2) / 2
ax.text(mid[0] + 12, mid[1] + 8, 'd(O–H) = 96 pm', fontsize=11, rotation=-(90 - angle / 2))

ax.text(-110, 60, 'δ−', color='red', fontsize=13)
ax.text(H1[0] - 40, H1[1], 'δ+', color='blue', fontsize=13)
ax.text(H2[0] + 25, H2[1], 'δ+', color='blue', fontsize=13)

ax.set_xlim(-130, 130)
ax.set_ylim(-100, 80)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Structure of the Water Molecule (H₂O)')
plt.savefig('water_molecule.png', dpi=150, bbox_inches='tight')
