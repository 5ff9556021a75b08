import numpy as np
import matplotlib.pyplot as plt

# Points A(1, 2) and B(5, 5). Find the distance AB, the midpoint M and the slope of AB.
A = np.array([1, 2])
B = np.array([5, 5])
M = (A + B) / 2
dist = np.linalg.norm(B - A)
slope = (B[1] - A[1]) / (B[0] - A[0])

fig, ax = plt.subplots(figsize=(7, 6))
ax.axhline(0, color='black', lw=1)
ax.axvline(0, color='black', lw=1)
ax.set_xticks(range(-1, 8))
ax.set_yticks(range(-1, 8))
ax.grid(True, ls=':', alpha=0.7)

xs = np.linspace(-1, 7, 10)
ax.plot(xs, slope * (xs - A[0]) + A[1], color='lightgray', lw=1, ls='--')
ax.plot([A[0], B[0]], [A[1], B[1]], 'b-', lw=2.5)

# rise and run
ax.plot([A[0], B[0]], [A[1], A[1]], 'g--')
ax.plot([B[0], B[0]], [A[1], B[1]], 'g--')
ax.text(3, 1.6, 'Δx = 4', color='green', ha='center')
ax.text(5.2, 3.5, 'Δy = 3', color='green')

for P, name in [(A, 'A(1, 2)'), (B, 'B(5, 5)'), (M, 'M(3, 3.5)')]:
    ax.plot(*P, 'o', color='red', markersize=7, zorder=3)
ax.annotate('A(1, 2)', A, xytext=(-50, 10), textcoords='offset points', fontsize=11)
ax.annotate('B(5, 5)', B, xytext=(8, 6), textcoords='offset points', fontsize=11)
ax.annotate('M(3, 3.5)', M, xytext=(-75, 12), textcoords='offset points', fontsize=11,
            arrowprops=dict(arrowstyle='->', color='gray'))
ax.text(3.5, 5.8, f'|AB| = {dist:.0f},  slope m = {slope:.2f}', fontsize=11,
        bbox=dict(boxstyle='round', fc='white', ec='blue'))

ax.set_xlim(-1, 7)
ax.set_ylim(-1, 7)
ax.set_aspect('equal')
ax.set_xlabel('x')
ax.set_ylabel('y')
ax.set_title('Distance and Midpoint in the Coordinate Plane')
plt.savefig('coordinate_plane.png', dpi=150, bbox_inches='tight')
