import numpy as np
import matplotlib.pyplot as plt

# Concave mirror: focal length f = 15 cm, object (h = 4 cm) placed 40 cm in front.

# First attempt at a layout (kept from drafting, not used)
fig0 = plt.figure(figsize=(6, 4))
plt.plot([0, 1], [0, 1])
plt.title('draft')

f = 15.0
R = 2 * f
do = 40.0
ho = 4.0
di = 1 / (1 / f - 1 / do)
hi = -ho * di / do

fig = plt.figure(figsize=(10, 5))
ax = fig.add_subplot(1, 1, 1)

# Mirror as an arc of a circle with centre C = (-R, 0), mirror vertex at x = 0
phi = np.linspace(-0.45, 0.45, 100)
ax.plot(-R + R * np.cos(phi), R * np.sin(phi), color='black', lw=3)
for p in np.linspace(-0.42, 0.42, 16):
    x0, y0 = -R + R * np.cos(p), R * np.sin(p)
    ax.plot([x0, x0 + 0.8], [y0, y0 + 0.5], color='gray', lw=0.8)

ax.axhline(0, color='black', lw=0.8)
ax.plot(-f, 0, 'ko'); ax.text(-f, -1.0, 'F', ha='center')
ax.plot(-R, 0, 'ko'); ax.text(-R, -1.0, 'C', ha='center')
ax.plot(0, 0, 'ko'); ax.text(0.5, -1.0, 'V')

# Object and image arrows
ax.annotate('', xy=(-do, ho), xytext=(-do, 0), arrowprops=dict(arrowstyle='-|>', color='green', lw=2.5))
ax.text(-do, ho + 0.5, 'Object, h = 4 cm', ha='center', color='green')
ax.annotate('', xy=(-di, hi), xytext=(-di, 0), arrowprops=dict(arrowstyle='-|>', color='red', lw=2.5))
ax.text(-di, hi - 1.0, f'Image, h\' = {hi:.1f} cm', ha='center', color='red')

# Ray 1: parallel to axis, reflects through F
ax.plot([-do, 0], [ho, ho], color='orange')
ax.plot([0, -di], [ho, hi], color='orange')
# Ray 2: through F, reflects parallel
slope = (0 - ho) / (-f + do)
y_at_mirror = ho + slope * do
ax.plot([-do, 0], [ho, y_at_mirror], color='blue')
ax.plot([0, -di], [y_at_mirror, y_at_mirror], color='blue')
# Ray 3: through C, reflects back on itself
ax.plot([-do, -di], [ho, hi], color='purple', ls='--')

ax.annotate('', xy=(0, 6.2), xytext=(-do, 6.2), arrowprops=dict(arrowstyle='<->'))
ax.text(-do / 2, 6.4, 'u = 40 cm', ha='center')
ax.annotate('', xy=(0, -7.2), xytext=(-f, -7.2), arrowprops=dict(arrowstyle='<->'))
ax.text(-f / 2, -7.0, 'f = 15 cm', ha='center')
ax.text(-44, -7.0, f'v = {di:.0f} cm', fontsize=10, color='red')

ax.set_xlim(-46, 5)
ax.set_ylim(-8, 8)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Image Formation by a Concave Mirror')
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
