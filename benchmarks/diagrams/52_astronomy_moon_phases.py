import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Show the Moon at 8 positions in its orbit around the Earth (period 29.5 days),
# with sunlight coming from the right, and the phase seen from Earth.
fig, ax = plt.subplots(figsize=(10, 8))
ax.set_facecolor('black')

# Sun rays
for y in np.linspace(-4.5, 4.5, 10):
    ax.annotate('', xy=(4.3, y), xytext=(5.6, y), arrowprops=dict(arrowstyle='->', color='yellow', lw=1.2))
ax.text(5.0, 5.0, 'Sunlight', color='yellow', ha='center', fontsize=12)

# Earth
ax.add_patch(patches.Circle((0, 0), 0.6, color='#3d85c6'))
ax.add_patch(patches.Wedge((0, 0), 0.6, 90, 270, color='#0b2545'))
ax.text(0, -0.95, 'Earth', color='white', ha='center', fontsize=11)

R = 2.8
ax.add_patch(patches.Circle((0, 0), R, fill=False, ls='--', ec='gray'))
names = ['New Moon', 'Waxing crescent', 'First quarter', 'Waxing gibbous',
         'Full Moon', 'Waning gibbous', 'Third quarter', 'Waning crescent']
r = 0.35
for k in range(8):
    ang = k * np.pi / 4  # new moon at angle 0 (between Earth and Sun)
    cx, cy = R * np.cos(ang), R * np.sin(ang)
    # Orbit view: lit half always faces the Sun (right)
    ax.add_patch(patches.Circle((cx, cy), r, color='#333333', ec='white', lw=0.5))
    ax.add_patch(patches.Wedge((cx, cy), r, -90, 90, color='white'))
    # phase as seen from Earth, drawn outside orbit
    px, py = (R + 1.2) * np.cos(ang), (R + 1.2) * np.sin(ang)
    lit = (1 - np.cos(ang)) / 2
    ax.add_patch(patches.Circle((px, py), r, color='#333333', ec='white', lw=0.5))
    if lit > 0.01:
        side = -90 if np.sin(ang) >= 0 else 90
        ax.add_patch(patches.Wedge((px, py), r, side, side + 180, color='white'))
        w = abs(2 * r * (lit - 0.5) * 2)
        ax.add_patch(patches.Ellipse((px, py), w, 2 * r, color='white' if lit > 0.5 else '#333333'))
    ax.text(px, py - r - 0.3, names[k], color='white', ha='center', fontsize=8)
    ax.text(cx * 0.78, cy * 0.78, f'{k * 29.5 / 8:.1f} d', color='lightgray', ha='center', va='center', fontsize=7)

ax.annotate('', xy=(-0.5, 2.45), xytext=(0.5, 2.45),
            arrowprops=dict(arrowstyle='->', color='white', connectionstyle='arc3,rad=0.2'))
ax.text(0, 1.9, 'orbit direction', color='white', ha='center', fontsize=9)
ax.text(-5.5, -5.4, 'Synodic period = 29.5 days', color='white', fontsize=11)

ax.set_xlim(-5.8, 6)
ax.set_ylim(-5.8, 5.6)
ax.set_aspect('equal')
ax.set_xticks([])
ax.set_yticks([])
ax.set_title('Phases of the Moon')
plt.savefig('moon_phases.png', dpi=100, bbox_inches='tight', facecolor='white')
