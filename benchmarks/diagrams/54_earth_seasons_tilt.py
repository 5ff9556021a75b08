import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Wedge

# Earth's axis is tilted 23.5° to the normal of its orbital plane. Show the June solstice:
# the Sun is overhead at the Tropic of Cancer (23.5° N).
tilt = 23.5
t = np.radians(tilt)
fig, ax = plt.subplots(figsize=(8, 6))

R = 2.0
ax.add_patch(Circle((0, 0), R, fc='#6fa8dc', ec='black', lw=1.5))
ax.add_patch(Wedge((0, 0), R, 90, 270, fc='#1c4587', alpha=0.7))  # night side (Sun to the right)

# axis
ax_dir = np.array([np.sin(t), np.cos(t)])
ax.plot(*zip(-1.35 * R * ax_dir, 1.35 * R * ax_dir), 'k-', lw=2)
ax.text(*(1.4 * R * ax_dir), 'N', fontsize=13, ha='center')
ax.plot([0, 0], [-2.6, 2.6], 'k--', lw=1)
arc = np.linspace(np.pi / 2 - t, np.pi / 2, 20)
ax.plot(1.1 * R * np.cos(arc), 1.1 * R * np.sin(arc), 'r-')
ax.text(0.25, 2.45, '23.5°', color='red', fontsize=12)

# latitude lines (perpendicular to the axis)
perp = np.array([np.cos(t), -np.sin(t)])
for lat, name in [(0, 'Equator'), (23.5, 'Tropic of Cancer 23.5° N'), (-23.5, 'Tropic of Capricorn'),
                  (66.5, 'Arctic Circle 66.5° N')]:
    phi = np.radians(lat)
    centre = R * np.sin(phi) * ax_dir
    half = R * np.cos(phi)
    p1, p2 = centre - half * perp, centre + half * perp
    ax.plot(*zip(p1, p2), color='white' if lat else 'yellow', lw=1.2, ls='-' if lat == 0 else ':')
    ax.text(p2[0] + 0.1, p2[1], name, fontsize=9, va='center')

# Sun rays from the right, horizontal
for y in np.linspace(-1.8, 1.8, 7):
    ax.annotate('', xy=(np.sqrt(max(R ** 2 - y ** 2, 0)) + 0.05, y), xytext=(5.5, y),
                arrowprops=dict(arrowstyle='->', color='orange', lw=1.3))
ax.text(5.3, 2.1, 'Sun rays', color='orange', fontsize=11, ha='right')
ax.plot([0, R], [0, 0], 'y-', lw=0.8)
ax.text(-3.6, -2.6, 'June solstice: subsolar point at 23.5° N', fontsize=10)

ax.set_xlim(-4, 6)
ax.set_ylim(-3, 3)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title("Earth's Axial Tilt and the Seasons")
fig.savefig('seasons.png', dpi=150)
