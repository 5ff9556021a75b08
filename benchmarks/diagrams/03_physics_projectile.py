import numpy as np
import matplotlib.pyplot as plt

# A ball is launched with v0 = 20 m/s at 45 degrees above the horizontal.
v0 = 20.0
angle = 45.0
g = 9.8

th = np.deg2rad(angle)
t_flight = 2 * v0 * np.sin(th) / g
t = np.linspace(0, t_flight, 200)
x = v0 * np.cos(th) * t
y = v0 * np.sin(th) * t - 0.5 * g * t ** 2

R = v0 ** 2 * np.sin(2 * th) / g
H = (v0 * np.sin(th)) ** 2 / (2 * g)

fig, ax = plt.subplots(figsize=(9, 5))
ax.plot(x, y, 'b-', linewidth=2, label='Trajectory')
ax.axhline(0, color='black', linewidth=1)

# initial velocity vector
ax.annotate('', xy=(6 * np.cos(th), 6 * np.sin(th)), xytext=(0, 0),
            arrowprops=dict(arrowstyle='-|>', color='red', lw=2))
ax.text(3.3, 4.6, 'v₀ = 20 m/s', color='red', fontsize=11)

# launch angle arc
arc_t = np.linspace(0, th, 30)
ax.plot(2.5 * np.cos(arc_t), 2.5 * np.sin(arc_t), 'k-', linewidth=1)
ax.text(2.8, 0.8, 'θ = 45°', fontsize=11)

# max height
ax.plot([R / 2, R / 2], [0, H], 'g--', linewidth=1.2)
ax.plot(R / 2, H, 'go', markersize=7)
ax.annotate(f'Maximum height\nH = {H:.1f} m', xy=(R / 2, H), xytext=(R / 2 + 6, H + 1.5),
            arrowprops=dict(arrowstyle='->', color='green'), fontsize=10, color='green')

# range
ax.annotate('', xy=(R, -1.2), xytext=(0, -1.2),
            arrowprops=dict(arrowstyle='<->', color='purple', lw=1.5))
ax.text(R / 2, -2.4, f'Range R = {R:.1f} m', ha='center', color='purple', fontsize=11)
ax.plot(R, 0, 'ko')

# velocity components at a sample point
i = 60
vx = v0 * np.cos(th)
vy = v0 * np.sin(th) - g * t[i]
ax.quiver(x[i], y[i], vx, vy, angles='xy', scale_units='xy', scale=3, color='orange', width=0.004)
ax.text(x[i] - 1, y[i] + 2.5, 'v', color='orange', fontsize=11)

ax.text(R - 8, H, 'g = 9.8 m/s²', fontsize=10, bbox=dict(boxstyle='round', fc='lightyellow'))
ax.set_xlim(-2, R + 4)
ax.set_ylim(-3.5, H + 4)
ax.set_xlabel('Horizontal distance x (m)')
ax.set_ylabel('Height y (m)')
ax.set_title('Projectile Motion')
ax.grid(True, alpha=0.3)
ax.legend(loc='upper right')
plt.tight_layout()
plt.savefig('projectile.png', dpi=150)
