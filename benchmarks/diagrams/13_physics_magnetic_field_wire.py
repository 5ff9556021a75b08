import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch

# A long straight wire carries I = 5 A out of the page. Find B at r = 0.1 m.
mu0 = 4 * np.pi * 1e-7
I = 5.0
r = 0.1
B = mu0 * I / (2 * np.pi * r)

fig, ax = plt.subplots(figsize=(6, 6))
for rad in [0.05, 0.1, 0.15, 0.2]:
    ax.add_patch(Circle((0, 0), rad, fill=False, ls='--', color='teal', lw=1.2))
    # arrows for counterclockwise direction
    for ang in [45, 135, 225, 315]:
        a = np.radians(ang)
        p1 = (rad * np.cos(a), rad * np.sin(a))
        p2 = (rad * np.cos(a + 0.15), rad * np.sin(a + 0.15))
        ax.add_patch(FancyArrowPatch(p1, p2, arrowstyle='-|>', mutation_scale=12, color='teal'))

ax.add_patch(Circle((0, 0), 0.015, fc='white', ec='black', lw=2, zorder=5))
ax.plot(0, 0, 'k.', markersize=6, zorder=6)
ax.text(0.02, -0.035, 'I = 5 A (out of page)', fontsize=10)

# point P
ax.plot(r, 0, 'ro')
ax.text(r + 0.01, 0.01, 'P', color='red', fontsize=12)
ax.annotate('', xy=(r, 0), xytext=(0, 0), arrowprops=dict(arrowstyle='<->', color='black'))
ax.text(r / 2, 0.008, 'r = 0.1 m', ha='center', fontsize=10)
ax.annotate('', xy=(r, 0.07), xytext=(r, 0), arrowprops=dict(arrowstyle='-|>', color='red', lw=2))
ax.text(r + 0.01, 0.06, f'B = {B * 1e6:.0f} μT', color='red', fontsize=11)

ax.set_xlim(-0.25, 0.25)
ax.set_ylim(-0.25, 0.25)
ax.set_aspect('equal')
ax.set_xlabel('x (m)')
ax.set_ylabel('y (m)')
ax.set_title('Magnetic Field Around a Straight Current-Carrying Wire')
plt.savefig('magnetic_field.png', dpi=100)
