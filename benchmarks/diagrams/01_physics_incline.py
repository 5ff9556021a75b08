import matplotlib.pyplot as plt
import numpy as np
import matplotlib.patches as patches

# Problem: A 2 kg block rests on a rough incline of angle 30 degrees (mu = 0.2).
# Draw the incline, the block and all forces acting on the block.

m = 2.0          # kg
theta_deg = 30.0
mu = 0.2
g = 9.8
theta = np.radians(theta_deg)

fig, ax = plt.subplots(figsize=(8, 6))

# Incline (right triangle)
base = 8.0
height = base * np.tan(theta)
incline = patches.Polygon([[0, 0], [base, 0], [0, height]], closed=True,
                          facecolor='#d9c9a3', edgecolor='black', linewidth=2)
ax.add_patch(incline)

# Ground hatch
ax.plot([-0.5, base + 0.5], [0, 0], color='black', linewidth=2)
for x in np.arange(-0.4, base + 0.5, 0.4):
    ax.plot([x, x - 0.2], [0, -0.2], color='black', linewidth=0.8)

# Block on the slope
s = 4.0                        # distance along slope from the top-left corner
bw, bh = 1.4, 0.9
px = s * np.cos(theta)
py = height - s * np.sin(theta)
block = patches.Rectangle((px, py), bw, bh, angle=-theta_deg,
                          facecolor='#6fa8dc', edgecolor='black', linewidth=1.5)
ax.add_patch(block)

# Centre of block
cx = px + (bw / 2) * np.cos(theta) + (bh / 2) * np.sin(theta)
cy = py - (bw / 2) * np.sin(theta) + (bh / 2) * np.cos(theta)
ax.plot(cx, cy, 'ko', markersize=4)
ax.text(cx - 0.15, cy + 0.05, 'm = 2 kg', fontsize=10, ha='right', va='bottom')

# Forces
scale = 0.09
W = m * g
N = W * np.cos(theta)
f = mu * N

# Weight
ax.annotate('', xy=(cx, cy - W * scale), xytext=(cx, cy),
            arrowprops=dict(arrowstyle='->', color='red', lw=2))
ax.text(cx + 0.1, cy - W * scale, 'W = mg = 19.6 N', color='red', fontsize=10, va='top')

# Normal force (perpendicular to slope)
nx, ny = np.sin(theta), np.cos(theta)
ax.annotate('', xy=(cx + N * scale * nx, cy + N * scale * ny), xytext=(cx, cy),
            arrowprops=dict(arrowstyle='->', color='green', lw=2))
ax.text(cx + N * scale * nx + 0.1, cy + N * scale * ny, 'N = 17.0 N', color='green', fontsize=10)

# Friction (up the slope)
ux, uy = -np.cos(theta), np.sin(theta)
ax.annotate('', xy=(cx + f * scale * 3 * ux, cy + f * scale * 3 * uy), xytext=(cx, cy),
            arrowprops=dict(arrowstyle='->', color='purple', lw=2))
ax.text(cx + f * scale * 3 * ux - 0.2, cy + f * scale * 3 * uy + 0.1, 'f = μN = 3.4 N',
        color='purple', fontsize=10, ha='right')

# Angle arc
arc = patches.Arc((base, 0), 2.0, 2.0, angle=0, theta1=180 - theta_deg, theta2=180,
                  color='black', linewidth=1.5)
ax.add_patch(arc)
ax.text(base - 1.35, 0.2, 'θ = 30°', fontsize=12)
ax.text(1.0, height - 0.6, 'μ = 0.2', fontsize=11, style='italic')

ax.set_xlim(-1, base + 1)
ax.set_ylim(-1, height + 1.5)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Block on a Rough Inclined Plane', fontsize=14)

plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
plt.close()
