import numpy as np
import matplotlib.pyplot as plt

# Sketch f(x) = x^2 - 4x + 3. Mark roots, vertex and y-intercept.
x = np.linspace(-1, 5, 300)
y = x ** 2 - 4 * x + 3

fig, ax = plt.subplots(figsize=(7, 6))
ax.plot(x, y, 'b-', lw=2, label=r'$f(x) = x^2 - 4x + 3$')
ax.axhline(0, color='black', lw=1)
ax.axvline(0, color='black', lw=1)
ax.axvline(2, color='gray', ls='--', lw=1, label='Axis of symmetry x = 2')

pts = {'(1, 0)': (1, 0), '(3, 0)': (3, 0), 'Vertex (2, −1)': (2, -1), '(0, 3)': (0, 3)}
offsets = [(-40, 15), (10, 15), (20, -25), (10, 5)]
for (lab, p), off in zip(pts.items(), offsets):
    ax.plot(*p, 'ro', markersize=7, zorder=3)
    ax.annotate(lab, xy=p, xytext=off, textcoords='offset points', fontsize=11,
                arrowprops=dict(arrowstyle='->', color='red'))

ax.set_xlim(-1, 5)
ax.set_ylim(-2, 8)
ax.set_xlabel('x')
ax.set_ylabel('y')
ax.grid(alpha=0.3)
ax.legend(loc='upper center')
ax.set_title('Graph of a Quadratic Function')
plt.tight_layout()
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
