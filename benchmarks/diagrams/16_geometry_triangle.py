import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Arc

# In triangle ABC, AB = 6 cm, BC = 8 cm and angle ABC = 60°. Find AC.
AB, BC = 6.0, 8.0
angB = np.radians(60)
B = np.array([0.0, 0.0])
C = np.array([BC, 0.0])
A = np.array([AB * np.cos(angB), AB * np.sin(angB)])
AC = np.linalg.norm(A - C)

fig, ax = plt.subplots(figsize=(7, 6))
ax.add_patch(Polygon([A, B, C], closed=True, fill=False, edgecolor='black', lw=2))

for P, name, off in [(A, 'A', (0, 0.3)), (B, 'B', (-0.35, -0.3)), (C, 'C', (0.25, -0.3))]:
    ax.plot(*P, 'ko')
    ax.text(P[0] + off[0], P[1] + off[1], name, fontsize=14, ha='center')

ax.text((A[0] + B[0]) / 2 - 0.5, (A[1] + B[1]) / 2, 'AB = 6 cm', fontsize=12, ha='right', rotation=0)
ax.text((B[0] + C[0]) / 2, -0.5, 'BC = 8 cm', fontsize=12, ha='center')
ax.text((A[0] + C[0]) / 2 + 0.3, (A[1] + C[1]) / 2 + 0.2, 'AC = ?', fontsize=12, color='red')

ax.add_patch(Arc(B, 1.6, 1.6, theta1=0, theta2=60, color='blue', lw=1.5))
ax.text(1.0, 0.35, '60°', color='blue', fontsize=12)

ax.set_xlim(-1.5, 9.5)
ax.set_ylim(-1.2, 6.5)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Triangle ABC')
plt.savefig('triangle.png', dpi=150, bbox_inches='tight')
