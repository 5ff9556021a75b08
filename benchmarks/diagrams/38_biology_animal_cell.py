import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Label the main organelles of an animal cell (cell diameter about 20 μm).
fig, ax = plt.subplots(figsize=(9, 7))

ax.add_patch(patches.Ellipse((0, 0), 10, 8, fc='#fde9d9', ec='#c0504d', lw=3))  # membrane
ax.add_patch(patches.Circle((0.5, 0.3), 1.6, fc='#ccc0da', ec='#5f497a', lw=2))  # nucleus
ax.add_patch(patches.Circle((0.8, 0.6), 0.5, fc='#5f497a', ec='none'))  # nucleolus

# Mitochondria
for (x, y, a) in [(-3, 1.5, 30), (2.8, -2.0, -20), (-2.0, -2.2, 70)]:
    ax.add_patch(patches.Ellipse((x, y), 1.4, 0.6, angle=a, fc='#f79646', ec='#984807', lw=1.5))
    t = np.linspace(-0.5, 0.5, 9)
    ax.plot(x + t * np.cos(np.radians(a)), y + 0.12 * np.sin(12 * t) + t * np.sin(np.radians(a)),
            color='#984807', lw=0.8)

# Rough ER (wavy lines around nucleus)
for k, r in enumerate([2.0, 2.35, 2.7]):
    th = np.linspace(np.pi * 0.1, np.pi * 0.8, 80)
    rr = r + 0.08 * np.sin(20 * th)
    ax.plot(0.5 + rr * np.cos(th), 0.3 + rr * np.sin(th), color='#4f81bd', lw=1.5)
    for tt in th[::8]:
        ax.plot(0.5 + (r + 0.12) * np.cos(tt), 0.3 + (r + 0.12) * np.sin(tt), 'k.', markersize=3)

# Golgi apparatus
for i in range(4):
    ax.add_patch(patches.Arc((-2.5, -0.3), 2.0 - 0.3 * i, 1.0 - 0.15 * i, theta1=200, theta2=340,
                             color='#9bbb59', lw=3))

# Ribosomes and vesicles scattered
rng = np.random.default_rng(7)
pts = rng.uniform([-4, -3], [4, 3], size=(40, 2))
pts = pts[(pts[:, 0] / 4.6) ** 2 + (pts[:, 1] / 3.6) ** 2 < 1]
pts = pts[np.hypot(pts[:, 0] - 0.5, pts[:, 1] - 0.3) > 2.9]
ax.plot(pts[:, 0], pts[:, 1], 'k.', markersize=3)
for (x, y) in [(3.2, 1.0), (-0.5, -3.0), (3.5, 0.2)]:
    ax.add_patch(patches.Circle((x, y), 0.25, fc='#ffff99', ec='olive'))

# Centrioles
ax.add_patch(patches.Rectangle((2.4, 2.2), 0.5, 0.2, angle=20, fc='gray'))
ax.add_patch(patches.Rectangle((2.7, 2.0), 0.2, 0.5, angle=20, fc='gray'))

labels = [
    ('Cell membrane', (-4.3, 2.0), (-7.5, 3.5)),
    ('Nucleus', (1.6, -0.6), (6.0, -0.3)),
    ('Nucleolus', (0.8, 0.6), (6.0, 1.2)),
    ('Mitochondrion', (-3, 1.5), (-7.5, 1.5)),
    ('Rough ER', (0.5, 2.6), (2.5, 4.6)),
    ('Golgi apparatus', (-2.5, -0.7), (-7.5, -1.0)),
    ('Ribosomes', tuple(pts[0]), (-7.5, -3.2)),
    ('Lysosome', (3.5, 0.2), (6.0, 2.6)),
    ('Centrioles', (2.7, 2.3), (5.2, 3.8)),
    ('Cytoplasm', (-0.5, -2.5), (1.0, -4.8)),
]
for text, xy, xytext in labels:
    ax.annotate(text, xy=xy, xytext=xytext, fontsize=10,
                arrowprops=dict(arrowstyle='->', color='black', lw=0.8))

ax.annotate('', xy=(5, -3.8), xytext=(-5, -3.8), arrowprops=dict(arrowstyle='<->'))
ax.text(-4.8, -4.3, 'diameter ≈ 20 μm', fontsize=10)

ax.set_xlim(-9, 8)
ax.set_ylim(-5.5, 5.5)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Animal Cell', fontsize=14)
plt.savefig('animal_cell.png', dpi=150, bbox_inches='tight')
