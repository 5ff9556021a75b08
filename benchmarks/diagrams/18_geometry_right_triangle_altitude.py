import matplotlib.pyplot as plt
import numpy as np

# Right triangle ABC with right angle at C, AC = 3, BC = 4, AB = 5.
# CD is the altitude to the hypotenuse. Find CD, AD and DB.
C = np.array([0.0, 0.0])
A = np.array([0.0, 3.0])
B = np.array([4.0, 0.0])
AB = B - A
t = np.dot(C - A, AB) / np.dot(AB, AB)
D = A + t * AB
CD = np.linalg.norm(D - C)

fig = plt.figure(figsize=(6, 5))
ax = plt.gca()
tri = np.array([A, B, C, A])
ax.plot(tri[:, 0], tri[:, 1], 'k-', lw=2)
ax.plot([C[0], D[0]], [C[1], D[1]], 'b--', lw=1.5)

# right angle at C
ax.plot([0.25, 0.25, 0], [0, 0.25, 0.25], 'k-', lw=1)
# right angle at D
u = AB / np.linalg.norm(AB)
v = (C - D) / np.linalg.norm(C - D)
q = 0.22
pts = np.array([D + q * u, D + q * u + q * v, D + q * v])
ax.plot(pts[:, 0], pts[:, 1], 'k-', lw=1)

labels = {'A': (A, (-0.25, 0.1)), 'B': (B, (0.12, -0.1)), 'C': (C, (-0.25, -0.25)), 'D': (D, (0.1, 0.12))}
for name, (P, off) in labels.items():
    ax.text(P[0] + off[0], P[1] + off[1], name, fontsize=14)

ax.text(-0.55, 1.5, 'AC = 3', fontsize=12, rotation=90, va='center')
ax.text(2.0, -0.35, 'BC = 4', fontsize=12, ha='center')
ax.text(2.3, 1.55, 'AB = 5', fontsize=12, rotation=-36.87)
ax.text(D[0] / 2 + 0.05, D[1] / 2 - 0.3, f'CD = {CD:.1f}', fontsize=11, color='blue')

ax.set_xlim(-1, 5)
ax.set_ylim(-0.8, 3.6)
ax.set_aspect('equal')
ax.axis('off')
plt.savefig('right_triangle.png', dpi=150, bbox_inches='tight')
