import numpy as np
import matplotlib.pyplot as plt

# On the unit circle, mark the angle θ = 150° and show cos θ and sin θ.
theta_deg = 150
th = np.radians(theta_deg)
P = (np.cos(th), np.sin(th))

fig, ax = plt.subplots(figsize=(6, 6))
t = np.linspace(0, 2 * np.pi, 360)
ax.plot(np.cos(t), np.sin(t), 'k-', lw=1.5)
ax.axhline(0, color='gray', lw=1)
ax.axvline(0, color='gray', lw=1)

ax.plot([0, P[0]], [0, P[1]], 'b-', lw=2)
ax.plot([P[0], P[0]], [0, P[1]], 'r--', lw=2)
ax.plot([0, P[0]], [0, 0], 'g-', lw=3)
ax.plot(*P, 'bo', markersize=8)

arc = np.linspace(0, th, 100)
ax.plot(0.25 * np.cos(arc), 0.25 * np.sin(arc), 'm-', lw=1.5)
ax.text(0.12, 0.3, 'θ = 150°', color='m', fontsize=12)

ax.text(P[0] - 0.1, P[1] + 0.1, r'P$(-\frac{\sqrt{3}}{2}, \frac{1}{2})$', fontsize=12, ha='center')
ax.text(P[0] - 0.05, P[1] / 2, 'sin θ = 1/2', color='red', fontsize=11, ha='right')
ax.text(P[0] / 2, -0.12, 'cos θ = −√3/2', color='green', fontsize=11, ha='center')
ax.text(0.7, 0.75, 'r = 1', fontsize=11)

for ang, lab in [(0, '0°'), (90, '90°'), (180, '180°'), (270, '270°')]:
    a = np.radians(ang)
    ax.text(1.15 * np.cos(a), 1.15 * np.sin(a), lab, ha='center', va='center', fontsize=10)

ax.set_xlim(-1.35, 1.35)
ax.set_ylim(-1.35, 1.35)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Unit Circle')
plt.savefig('unit_circle.png', dpi=120)
