import numpy as np
import matplotlib.pyplot as plt
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401

# Plot the surface z = sin(sqrt(x^2 + y^2)) for -6 <= x, y <= 6 and mark the maximum ring r = π/2.
x = np.linspace(-6, 6, 50)
y = np.linspace(-6, 6, 50)
X, Y = np.meshgrid(x, y)
R = np.sqrt(X ** 2 + Y ** 2)
Z = np.sin(R)

fig = plt.figure(figsize=(8, 6))
ax = fig.add_subplot(111, projection='3d')
surf = ax.plot_surface(X, Y, Z, cmap='viridis', edgecolor='none', alpha=0.9)

t = np.linspace(0, 2 * np.pi, 100)
ax.plot(np.pi / 2 * np.cos(t), np.pi / 2 * np.sin(t), np.ones_like(t), 'r-', lw=2,
        label='z = 1 at r = π/2')
ax.scatter([0], [0], [0], color='black', s=30)
ax.text(0, 0, -0.3, 'O (0, 0, 0)', fontsize=9)

ax.set_xlabel('x')
ax.set_ylabel('y')
ax.set_zlabel('z')
ax.set_title(r'$z = \sin\left(\sqrt{x^2 + y^2}\right)$')
fig.colorbar(surf, ax=ax, shrink=0.6, pad=0.1, label='z')
ax.legend(loc='upper left')
ax.view_init(elev=30, azim=-60)
plt.savefig('surface3d.png', dpi=100, bbox_inches='tight')
