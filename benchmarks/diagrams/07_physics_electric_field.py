import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Circle

# Electric field of a dipole: q1 = +2 μC at (-1, 0) m and q2 = -2 μC at (1, 0) m.
k = 8.99e9
charges = [(2e-6, -1.0, 0.0), (-2e-6, 1.0, 0.0)]

x = np.linspace(-3, 3, 40)
y = np.linspace(-2.5, 2.5, 34)
X, Y = np.meshgrid(x, y)
Ex = np.zeros_like(X)
Ey = np.zeros_like(Y)
for q, qx, qy in charges:
    dx = X - qx
    dy = Y - qy
    r3 = np.maximum((dx ** 2 + dy ** 2) ** 1.5, 1e-3)
    Ex += k * q * dx / r3
    Ey += k * q * dy / r3

fig, ax = plt.subplots(figsize=(8, 6))
E = np.hypot(Ex, Ey)
ax.streamplot(X, Y, Ex, Ey, color=np.log10(E), cmap='plasma', density=0.7, linewidth=1, arrowsize=1.2)

for q, qx, qy in charges:
    color = 'red' if q > 0 else 'blue'
    ax.add_patch(Circle((qx, qy), 0.15, color=color, zorder=5))
    ax.text(qx, qy, '+' if q > 0 else '−', color='white', ha='center', va='center',
            fontsize=14, fontweight='bold', zorder=6)

ax.text(-1, 0.35, 'q₁ = +2 μC', ha='center', fontsize=11, bbox=dict(fc='white', ec='red'))
ax.text(1, 0.35, 'q₂ = −2 μC', ha='center', fontsize=11, bbox=dict(fc='white', ec='blue'))
ax.annotate('', xy=(1, -0.5), xytext=(-1, -0.5), arrowprops=dict(arrowstyle='<->'))
ax.text(0, -0.75, 'd = 2 m', ha='center', fontsize=11, bbox=dict(fc='white', ec='none'))

ax.set_xlim(-3, 3)
ax.set_ylim(-2.5, 2.5)
ax.set_aspect('equal')
ax.set_xlabel('x (m)')
ax.set_ylabel('y (m)')
ax.set_title('Electric Field Lines of an Electric Dipole')
plt.savefig('electric_field.png', dpi=120)
