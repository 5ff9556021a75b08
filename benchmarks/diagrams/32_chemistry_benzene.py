import numpy as np
import matplotlib.pyplot as plt

# Draw the Kekulé structure of benzene, C6H6. C–C bond length 139 pm, C–H 109 pm, all angles 120°.
fig, ax = plt.subplots(figsize=(6, 6))

R = 1.39
angles = np.radians(np.arange(90, 450, 60))
C = np.column_stack([R * np.cos(angles), R * np.sin(angles)])
H = np.column_stack([(R + 1.09) * np.cos(angles), (R + 1.09) * np.sin(angles)])

for i in range(6):
    p, q = C[i], C[(i + 1) % 6]
    ax.plot([p[0], q[0]], [p[1], q[1]], 'k-', lw=2)
    if i % 2 == 0:
        # inner line for double bond
        shrink = 0.8
        ax.plot([p[0] * shrink, q[0] * shrink], [p[1] * shrink, q[1] * shrink], 'k-', lw=2)
    ax.plot([C[i, 0], H[i, 0]], [C[i, 1], H[i, 1]], 'k-', lw=1.5)

for (cx, cy), (hx, hy) in zip(C, H):
    ax.scatter(cx, cy, s=500, color='dimgray', zorder=3)
    ax.text(cx, cy, 'C', color='white', ha='center', va='center', fontsize=12, zorder=4)
    ax.scatter(hx, hy, s=250, color='white', edgecolors='black', zorder=3)
    ax.text(hx, hy, 'H', ha='center', va='center', fontsize=10, zorder=4)

ax.text(0, 0.15, 'C–C = 139 pm', ha='center', fontsize=10)
ax.text(0, -0.2, '∠CCC = 120°', ha='center', fontsize=10)
mid = (C[0] + H[0]) / 2
ax.text(mid[0] + 0.2, mid[1], 'C–H = 109 pm', fontsize=9)

ax.set_xlim(-3, 3)
ax.set_ylim(-3, 3)
ax.set_aspect('equal')
ax.axis('off')
plt.title('Benzene (C$_6$H$_6$)')
plt.show()
