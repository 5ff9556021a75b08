import numpy as np
import matplotlib.pyplot as plt

# Methane (CH4) has a tetrahedral geometry; H-C-H angle 109.5°, C-H bond length 109 pm.
d = 1.09
verts = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
verts = verts / np.linalg.norm(verts[0]) * d
ang = np.degrees(np.arccos(np.dot(verts[0], verts[1]) / d ** 2))

fig = plt.figure(figsize=(7, 7))
ax = fig.add_subplot(111, projection='3d')

ax.scatter(0, 0, 0, s=900, color='black', depthshade=False)
ax.text(0, 0, 0.25, 'C', color='black', fontsize=14, fontweight='bold')
for i, v in enumerate(verts):
    ax.plot([0, v[0]], [0, v[1]], [0, v[2]], color='gray', lw=4)
    ax.scatter(*v, s=400, color='lightgray', edgecolors='black', depthshade=False)
    ax.text(*(v * 1.2), f'H{i + 1}', fontsize=12)

# dashed edges of the tetrahedron
for i in range(4):
    for j in range(i + 1, 4):
        ax.plot(*zip(verts[i], verts[j]), color='steelblue', ls='--', lw=0.8)

ax.text(0.5, 0.1, -0.9, f'∠H–C–H = {ang:.1f}°', fontsize=12, color='darkred')
ax.text(0.4, 0.6, 0.8, 'C–H = 109 pm', fontsize=11, color='darkblue')

ax.set_xlim(-1, 1)
ax.set_ylim(-1, 1)
ax.set_zlim(-1, 1)
ax.set_box_aspect((1, 1, 1))
ax.set_axis_off()
ax.view_init(elev=15, azim=30)
ax.set_title('Tetrahedral Structure of Methane, CH$_4$')
plt.savefig('methane.png', dpi=100, bbox_inches='tight')
