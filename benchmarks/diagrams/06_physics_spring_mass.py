import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# A 0.5 kg mass on a horizontal spring (k = 200 N/m) is pulled 0.1 m and released.
k = 200.0
m = 0.5
A = 0.1
omega = np.sqrt(k / m)
T = 2 * np.pi / omega

fig, axes = plt.subplots(1, 2, figsize=(10, 4))

# --- Left: the set-up ---
ax = axes[0]
ax.add_patch(patches.Rectangle((-0.3, -0.2), 0.3, 1.6, facecolor='gray', hatch='//', edgecolor='black'))
ax.plot([-0.3, 6], [-0.2, -0.2], 'k-', lw=2)

n_coils = 10
xs = np.linspace(0, 3.5, 2 * n_coils + 1)
ys = 0.5 + 0.25 * np.array([0] + [(-1) ** i for i in range(2 * n_coils - 1)] + [0])
ax.plot(xs, ys, color='black', lw=1.5)
ax.add_patch(patches.Rectangle((3.5, -0.2), 1.2, 1.2, facecolor='#f6b26b', edgecolor='black', lw=1.5))
ax.text(4.1, 0.4, 'm = 0.5 kg', ha='center', fontsize=9)
ax.text(1.75, 0.95, 'k = 200 N/m', ha='center', fontsize=10)

ax.plot([3.0, 3.0], [-0.2, 1.6], 'k--', lw=1)
ax.text(3.0, 1.7, 'x = 0', ha='center', fontsize=9)
ax.annotate('', xy=(3.5, 1.3), xytext=(3.0, 1.3), arrowprops=dict(arrowstyle='<->', color='red'))
ax.text(3.25, 1.4, 'A = 0.1 m', color='red', fontsize=9, ha='left')

ax.set_xlim(-0.5, 6)
ax.set_ylim(-0.6, 2.2)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Mass-spring system')

# --- Right: displacement vs time ---
ax = axes[1]
t = np.linspace(0, 2 * T, 400)
x = A * np.cos(omega * t)
ax.plot(t, x, 'b-', lw=2)
ax.axhline(0, color='gray', lw=0.8)
ax.axhline(A, color='red', ls=':', lw=1)
ax.axhline(-A, color='red', ls=':', lw=1)
ax.annotate('', xy=(T, -0.13), xytext=(0, -0.13), arrowprops=dict(arrowstyle='<->'))
ax.text(T / 2, -0.125, f'T = {T:.3f} s', ha='center', va='bottom', fontsize=9)
ax.set_ylim(-0.15, 0.15)
ax.set_xlabel('t (s)')
ax.set_ylabel('x (m)')
ax.set_title(f'x(t) = A cos(ωt),  ω = {omega:.0f} rad/s')
ax.grid(alpha=0.3)

plt.tight_layout()
plt.savefig('spring_mass.png', dpi=100)
