import matplotlib.pyplot as plt
import numpy as np

# Simple pendulum: L = 1.2 m, bob mass m = 0.3 kg, released from θ = 15°.
L = 1.2
theta = np.radians(15)

fig = plt.figure(figsize=(5, 6))
ax = fig.add_subplot(111)

ax.plot([-0.5, 0.5], [0, 0], 'k-', lw=3)
for xh in np.linspace(-0.45, 0.45, 10):
    ax.plot([xh, xh + 0.06], [0, 0.06], 'k-', lw=0.8)

bx, by = L * np.sin(theta), -L * np.cos(theta)
ax.plot([0, bx], [0, by], 'k-', lw=1.5)
ax.plot([0, 0], [0, -L], 'k--', lw=1)
ax.plot(bx, by, 'o', color='steelblue', markersize=22, markeredgecolor='black')
ax.plot(0, -L, 'o', color='lightgray', markersize=22, markeredgecolor='gray', alpha=0.5)

arc = np.linspace(-np.pi / 2, -np.pi / 2 + theta, 30)
ax.plot(0.35 * np.cos(arc), 0.35 * np.sin(arc), 'r-')
ax.text(0.06, -0.45, 'θ = 15°', color='red', fontsize=11)
ax.text(bx / 2 + 0.05, by / 2, 'L = 1.2 m', fontsize=11, rotation=-75)
ax.text(bx + 0.1, by, 'm = 0.3 kg', fontsize=11, va='center')

# swing path
sw = np.linspace(-np.pi / 2 - theta, -np.pi / 2 + theta, 50)
ax.plot(L * np.cos(sw), L * np.sin(sw), ':', color='gray')

# height gained
h = L * (1 - np.cos(theta))
ax.annotate('', xy=(-0.35, by), xytext=(-0.35, -L), arrowprops=dict(arrowstyle='<->', color='green'))
ax.plot([-0.4, bx], [by, by], color='green', lw=0.6, ls='--')
ax.text(-0.38, (by - L) / 2, f'h = {h * 100:.1f} cm', color='green', ha='right', va='center', fontsize=10)

ax.set_xlim(-0.9, 0.9)
ax.set_ylim(-1.45, 0.2)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Simple Pendulum')
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
