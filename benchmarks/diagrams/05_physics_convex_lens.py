import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Ellipse, FancyArrow

# An object 3 cm tall is placed 25 cm from a converging lens with f = 10 cm.
f = 10.0
do = 25.0
ho = 3.0
di = 1 / (1 / f - 1 / do)
hi = -ho * di / do

fig, ax = plt.subplots(figsize=(10, 5))
ax.axhline(0, color='black', linewidth=1)  # principal axis

# Lens
ax.add_patch(Ellipse((0, 0), 1.2, 12, facecolor='lightblue', edgecolor='navy', alpha=0.6))
ax.text(0.8, 5.5, 'Convex lens', fontsize=10, color='navy')

# Focal points
for xf, lab in [(-f, 'F'), (f, "F'"), (-2 * f, '2F'), (2 * f, "2F'")]:
    ax.plot(xf, 0, 'ko', markersize=4)
    ax.text(xf, -0.8, lab, ha='center', fontsize=10)

# Object and image
ax.add_patch(FancyArrow(-do, 0, 0, ho, width=0.25, head_width=0.9, head_length=0.5,
                        length_includes_head=True, color='green'))
ax.text(-do, ho + 0.4, 'Object\nh = 3 cm', ha='center', fontsize=9, color='green')
ax.add_patch(FancyArrow(di, 0, 0, hi, width=0.25, head_width=0.9, head_length=0.5,
                        length_includes_head=True, color='red'))
ax.text(di, hi - 1.2, f'Image\nh\' = {abs(hi):.1f} cm', ha='center', fontsize=9, color='red')

# Ray 1: parallel to axis, then through F'
ax.plot([-do, 0], [ho, ho], color='orange', lw=1.5)
ax.plot([0, di], [ho, hi], color='orange', lw=1.5)
# Ray 2: through optical centre
ax.plot([-do, di], [ho, hi], color='purple', lw=1.5)
# Ray 3: through F, then parallel
ax.plot([-do, 0], [ho, ho * (1 - do / (do - f))], color='teal', lw=1.5)
y3 = ho * (1 - do / (do - f))
ax.plot([0, di], [y3, y3], color='teal', lw=1.5)

# Distances
ax.annotate('', xy=(0, -4.5), xytext=(-do, -4.5), arrowprops=dict(arrowstyle='<->'))
ax.text(-do / 2, -4.2, 'u = 25 cm', ha='center', fontsize=10)
ax.annotate('', xy=(di, -6.0), xytext=(0, -6.0), arrowprops=dict(arrowstyle='<->'))
ax.text(di / 2, -5.7, f'v = {di:.1f} cm', ha='center', fontsize=10)
ax.annotate('', xy=(f, 1.2), xytext=(0, 1.2), arrowprops=dict(arrowstyle='<->', color='gray'))
ax.text(f / 2, 1.4, 'f = 10 cm', ha='center', fontsize=9, color='gray')

ax.set_xlim(-30, 25)
ax.set_ylim(-7, 7)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Ray Diagram for a Converging Lens')
fig.tight_layout()
fig.savefig('diagram.png', dpi=150, bbox_inches='tight')
