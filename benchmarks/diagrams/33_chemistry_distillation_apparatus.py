import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Simple distillation of an ethanol-water mixture. Ethanol boils at 78 °C.
# Label: round-bottom flask, heat source, thermometer (78 °C), Liebig condenser
# with water in/out, receiving flask and distillate.

fig, ax = plt.subplots(figsize=(10, 7))

# Stand
ax.add_patch(patches.Rectangle((0.5, 0), 3.5, 0.2, fc='dimgray'))
ax.add_patch(patches.Rectangle((0.7, 0.2), 0.15, 7.5, fc='gray'))

# Heat source (Bunsen burner)
ax.add_patch(patches.Rectangle((1.8, 0.2), 0.8, 1.4, fc='silver', ec='black'))
flame_x = [2.0, 2.2, 2.4, 2.3, 2.2, 2.1]
flame_y = [1.6, 2.4, 1.6, 1.9, 1.7, 1.9]
ax.fill(flame_x, flame_y, color='orange', alpha=0.9)
ax.fill([2.1, 2.2, 2.3], [1.6, 2.1, 1.6], color='blue', alpha=0.7)
ax.text(1.0, 1.0, 'Heat', fontsize=11, ha='right')

# Tripod / gauze
ax.plot([1.3, 3.1], [2.6, 2.6], 'k-', lw=3)
ax.plot([1.4, 1.4], [0.2, 2.6], 'k-', lw=2)
ax.plot([3.0, 3.0], [0.2, 2.6], 'k-', lw=2)

# Round-bottom flask
flask_c = (2.2, 3.5)
ax.add_patch(patches.Circle(flask_c, 0.85, fc='#e6f2ff', ec='black', lw=2))
ax.add_patch(patches.Wedge(flask_c, 0.83, 200, 340, fc='#9fc5e8', ec='none'))
ax.add_patch(patches.Rectangle((2.0, 4.25), 0.4, 1.3, fc='#e6f2ff', ec='black', lw=2))
# boiling chips / bubbles
rng = np.random.default_rng(3)
for _ in range(12):
    bx, by = rng.uniform(1.6, 2.8), rng.uniform(2.9, 3.2)
    ax.add_patch(patches.Circle((bx, by), 0.04, fc='white', ec='steelblue', lw=0.8))
ax.text(0.95, 3.5, 'Ethanol + water', fontsize=10, ha='left', va='center', rotation=0)

# Clamp
ax.plot([0.85, 2.0], [5.0, 5.0], 'k-', lw=4)

# Still head + thermometer
ax.add_patch(patches.Rectangle((2.0, 5.55), 0.4, 0.9, fc='#e6f2ff', ec='black', lw=2))
ax.add_patch(patches.Rectangle((2.15, 5.2), 0.1, 2.4, fc='white', ec='black', lw=1))
ax.add_patch(patches.Rectangle((2.17, 5.2), 0.06, 1.4, fc='red', ec='none'))
ax.add_patch(patches.Circle((2.2, 5.2), 0.08, fc='red', ec='black'))
for i, y in enumerate(np.linspace(5.6, 7.4, 10)):
    ax.plot([2.25, 2.32 if i % 2 else 2.38], [y, y], 'k-', lw=0.7)
ax.annotate('Thermometer\nT = 78 °C', xy=(2.25, 7.0), xytext=(3.0, 7.4), fontsize=11,
            arrowprops=dict(arrowstyle='->'))

# Condenser (sloping)
ang = np.radians(-20)
L = 4.5
x0, y0 = 2.4, 6.1
x1, y1 = x0 + L * np.cos(ang), y0 + L * np.sin(ang)
outer = patches.Rectangle((x0 + 0.4, y0 - 0.3), L - 0.8, 0.6, angle=np.degrees(ang),
                          rotation_point=(x0, y0), fc='#d9ead3', ec='black', lw=2)
ax.add_patch(outer)
ax.plot([x0, x1], [y0, y1], color='black', lw=2)
ax.plot([x0, x1], [y0 - 0.12, y1 - 0.12], color='black', lw=1)
# water in/out
wx_in, wy_in = x0 + (L - 0.6) * np.cos(ang), y0 + (L - 0.6) * np.sin(ang)
ax.plot([wx_in + 0.1, wx_in + 0.1], [wy_in - 0.3, wy_in - 1.0], 'k-', lw=2)
ax.annotate('Water in', xy=(wx_in + 0.1, wy_in - 0.5), xytext=(wx_in + 0.6, wy_in - 1.3),
            fontsize=10, color='blue', arrowprops=dict(arrowstyle='->', color='blue'))
wx_out, wy_out = x0 + 0.7 * np.cos(ang), y0 + 0.7 * np.sin(ang)
ax.plot([wx_out, wx_out], [wy_out + 0.3, wy_out + 0.9], 'k-', lw=2)
ax.annotate('Water out', xy=(wx_out, wy_out + 0.9), xytext=(wx_out + 0.5, wy_out + 1.4),
            fontsize=10, color='blue', arrowprops=dict(arrowstyle='<-', color='blue'))
ax.text((x0 + x1) / 2 + 0.2, (y0 + y1) / 2 + 0.45, 'Liebig condenser', fontsize=11, rotation=-20)

# Receiving flask
ax.plot([x1, x1 + 0.1], [y1, y1 - 1.2], 'k-', lw=2)
rx, ry = x1 + 0.1, 1.2
ax.add_patch(patches.Polygon([[rx - 0.25, ry + 1.6], [rx + 0.25, ry + 1.6], [rx + 0.8, 0.2],
                              [rx - 0.8, 0.2]], closed=True, fc='#e6f2ff', ec='black', lw=2))
ax.add_patch(patches.Polygon([[rx - 0.6, 0.7], [rx + 0.6, 0.7], [rx + 0.8, 0.2], [rx - 0.8, 0.2]],
                             closed=True, fc='#fff2cc', ec='none'))
for k in range(4):
    ax.add_patch(patches.Circle((x1 + 0.1, y1 - 1.4 - 0.25 * k), 0.05, fc='#fff2cc', ec='orange'))
ax.annotate('Distillate\n(ethanol)', xy=(rx, 0.45), xytext=(rx + 1.2, 1.3), fontsize=10,
            arrowprops=dict(arrowstyle='->'))
ax.plot([-0.2, 9.8], [0, 0], 'k-', lw=2)

ax.set_xlim(-0.5, 10)
ax.set_ylim(-0.3, 8.2)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Simple Distillation Apparatus', fontsize=14)
plt.savefig('distillation.png', dpi=120, bbox_inches='tight')
