import numpy as np
import matplotlib.pyplot as plt

# Geological cross-section: sandstone (12 m), shale (8 m), limestone (15 m), granite basement.
# A normal fault offsets the layers by 5 m. An igneous dike cuts all sedimentary layers.
fig, ax = plt.subplots(figsize=(9, 6))

x = np.linspace(0, 100, 200)
surface = 40 + 2 * np.sin(x / 12)
tops = [40, 28, 20, 5]          # top of layer below the surface on the left block (m)
names = ['Sandstone', 'Shale', 'Limestone', 'Granite']
colors = ['#f6d7a7', '#8e9aaf', '#cfe1b9', '#e07a5f']
hatches = ['...', '--', '+', 'xx']
fault_x = 55
throw = 5

for side, xs in (('L', x[x <= fault_x]), ('R', x[x >= fault_x])):
    off = -throw if side == 'R' else 0
    surf = np.interp(xs, x, surface)
    bounds = [surf] + [np.full_like(xs, t + off) for t in tops[1:]] + [np.zeros_like(xs)]
    for i in range(4):
        upper = np.minimum(bounds[i], surf)
        ax.fill_between(xs, bounds[i + 1], upper, color=colors[i], hatch=hatches[i], edgecolor='gray', lw=0)

ax.plot(x, surface, 'k-', lw=2)
ax.plot([fault_x - 6, fault_x + 6], [0, 44], 'r-', lw=3)
ax.annotate('', xy=(fault_x + 8, 30), xytext=(fault_x + 8, 35), arrowprops=dict(arrowstyle='->', color='red'))
ax.annotate('', xy=(fault_x - 8, 35), xytext=(fault_x - 8, 30), arrowprops=dict(arrowstyle='->', color='red'))
ax.text(fault_x + 10, 32, 'Normal fault\n(throw 5 m)', color='red', fontsize=10)

ax.fill_betweenx([0, 42], 20, 24, color='#6d597a', zorder=3)
ax.text(22, 44, 'Dike', ha='center', fontsize=10)

for name, t, b in zip(names, [40, 28, 20, 5], [28, 20, 5, 0]):
    ax.text(3, (t + b) / 2, name, fontsize=10, va='center', fontweight='bold')
ax.annotate('', xy=(35, 28), xytext=(35, 40), arrowprops=dict(arrowstyle='<->'))
ax.text(36, 33, '12 m', fontsize=9)
ax.annotate('', xy=(35, 20), xytext=(35, 28), arrowprops=dict(arrowstyle='<->'))
ax.text(36, 23.5, '8 m', fontsize=9)
ax.annotate('', xy=(35, 5), xytext=(35, 20), arrowprops=dict(arrowstyle='<->'))
ax.text(36, 12, '15 m', fontsize=9)

ax.set_xlim(0, 100)
ax.set_ylim(0, 50)
ax.set_xlabel('Distance (m)')
ax.set_ylabel('Elevation (m)')
ax.set_title('Geological Cross-Section')
plt.savefig('rock_layers.png', dpi=120, bbox_inches='tight')
