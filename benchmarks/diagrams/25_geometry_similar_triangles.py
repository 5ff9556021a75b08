import matplotlib.pyplot as plt
import numpy as np

# Triangles ABC and DEF are similar with ratio 1 : 2.
# AB = 3 cm, BC = 4 cm, AC = 5 cm. Find DE, EF and DF.
k = 2
small = np.array([[0, 0], [4, 0], [0, 3]])
big = small * k

fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, pts, names, sides, title in [
    (axes[0], small, ('B', 'C', 'A'), ('BC = 4 cm', 'AC = 5 cm', 'AB = 3 cm'), 'Triangle ABC'),
    (axes[1], big, ('E', 'F', 'D'), ('EF = 8 cm', 'DF = 10 cm', 'DE = 6 cm'), 'Triangle DEF'),
]:
    closed = np.vstack([pts, pts[0]])
    ax.fill(closed[:, 0], closed[:, 1], alpha=0.2, color='tab:blue')
    ax.plot(closed[:, 0], closed[:, 1], 'k-', lw=2)
    s = 0.3 * pts[1, 0] / 4
    ax.plot([s, s, 0], [0, s, s], 'k-', lw=1)
    offs = [(-0.3, -0.3), (0.15, -0.3), (-0.3, 0.1)]
    for p, n, o in zip(pts, names, offs):
        ax.text(p[0] + o[0] * pts[1, 0] / 4, p[1] + o[1] * pts[1, 0] / 4, n, fontsize=14)
    ax.text(pts[1, 0] / 2, -0.12 * pts[1, 0] / 2, sides[0], ha='center', fontsize=11)
    ax.text(pts[1, 0] / 2 + 0.1, pts[2, 1] / 2 + 0.1, sides[1], fontsize=11, rotation=-36.87)
    ax.text(-0.06 * pts[1, 0], pts[2, 1] / 2, sides[2], fontsize=11, rotation=90, va='center', ha='right')
    ax.set_xlim(-2, 9)
    ax.set_ylim(-1.5, 7)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title(title)

fig.suptitle('Similar Triangles, scale factor k = 2', fontsize=13)
plt.tight_layout()
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
