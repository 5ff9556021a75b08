import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# A circle with centre O has radius 5 cm. Chord AB has length 8 cm.
# M is the midpoint of AB. Find OM.
r = 5.0
chord = 8.0
d = np.sqrt(r ** 2 - (chord / 2) ** 2)

fig, ax = plt.subplots(figsize=(6, 6))
circle = patches.Circle((0, 0), r, fill=False, edgecolor='navy', linewidth=2)
ax.add_patch(circle)

A = (-chord / 2, -d)
B = (chord / 2, -d)
M = (0, -d)
O = (0, 0)

ax.plot([A[0], B[0]], [A[1], B[1]], 'k-', lw=2)
ax.plot([0, 0], [0, -d], 'r--', lw=1.5)
ax.plot([0, B[0]], [0, B[1]], 'g-', lw=1.5)

for P, lab, dx, dy in [(A, 'A', -0.4, -0.3), (B, 'B', 0.2, -0.3), (M, 'M', 0.15, -0.5), (O, 'O', 0.2, 0.2)]:
    ax.plot(*P, 'ko', markersize=5)
    ax.text(P[0] + dx, P[1] + dy, lab, fontsize=13)

# right angle marker at M
s = 0.35
ax.plot([0, s, s], [-d + s, -d + s, -d], 'k-', lw=1)

ax.text(-2.0, -d - 0.6, 'AB = 8 cm', fontsize=12)
ax.text(2.3, -1.0, 'r = 5 cm', fontsize=12, color='green')
ax.text(-1.3, -1.6, 'OM = ?', fontsize=12, color='red')

ax.set_xlim(-6, 6)
ax.set_ylim(-6, 6)
ax.set_aspect('equal')
ax.axis('off')
plt.title('Circle with Chord AB')
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
