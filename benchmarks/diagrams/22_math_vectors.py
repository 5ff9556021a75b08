import numpy as np
import matplotlib.pyplot as plt

# Vectors a = (3, 1) and b = (1, 2). Draw a, b, a + b (parallelogram rule) and a − b.
a = np.array([3, 1])
b = np.array([1, 2])
s = a + b
d = a - b

fig, ax = plt.subplots(figsize=(7, 6))
O = np.array([0, 0])
ax.quiver(*O, *a, angles='xy', scale_units='xy', scale=1, color='red', width=0.008)
ax.quiver(*O, *b, angles='xy', scale_units='xy', scale=1, color='blue', width=0.008)
ax.quiver(*O, *s, angles='xy', scale_units='xy', scale=1, color='purple', width=0.008)
ax.quiver(*b, *d, angles='xy', scale_units='xy', scale=1, color='darkorange', width=0.006)

# parallelogram sides
ax.plot([a[0], s[0]], [a[1], s[1]], 'b--', alpha=0.5)
ax.plot([b[0], s[0]], [b[1], s[1]], 'r--', alpha=0.5)

ax.text(1.6, 0.25, 'a = (3, 1)', color='red', fontsize=12)
ax.text(-0.2, 1.2, 'b = (1, 2)', color='blue', fontsize=12, ha='right')
ax.text(2.3, 2.2, 'a + b = (4, 3)', color='purple', fontsize=12)
ax.text(2.1, 1.7, 'a − b = (2, −1)', color='darkorange', fontsize=11)
ax.text(0.2, 3.6, f'|a + b| = {np.linalg.norm(s):.0f}', fontsize=11)

ax.set_xlim(-1.5, 5)
ax.set_ylim(-1, 4)
ax.set_aspect('equal')
ax.grid(True, alpha=0.4)
ax.axhline(0, color='k', lw=0.8)
ax.axvline(0, color='k', lw=0.8)
ax.set_title('Vector Addition and Subtraction')
plt.savefig('vectors.png', dpi=150, bbox_inches='tight')
