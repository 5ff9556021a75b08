import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Circuit: a 12 V battery drives R1 = 5 Ω in series with the parallel pair R2 = 10 Ω, R3 = 10 Ω.

fig, ax = plt.subplots(figsize=(8, 5))


def wire(x1, y1, x2, y2):
    ax.plot([x1, x2], [y1, y2], color='black', linewidth=2)


def resistor_h(xc, y, label):
    ax.add_patch(patches.Rectangle((xc - 0.6, y - 0.2), 1.2, 0.4, facecolor='white',
                                   edgecolor='black', linewidth=2, zorder=3))
    ax.text(xc, y + 0.35, label, ha='center', fontsize=11)


def resistor_v(x, yc, label):
    ax.add_patch(patches.Rectangle((x - 0.2, yc - 0.6), 0.4, 1.2, facecolor='white',
                                   edgecolor='black', linewidth=2, zorder=3))
    ax.text(x + 0.35, yc, label, va='center', fontsize=11)


# Outer loop
wire(0, 0, 0, 1.6)
wire(0, 2.4, 0, 4)
wire(0, 4, 6, 4)
wire(6, 4, 6, 0)
wire(6, 0, 0, 0)
# Parallel branch
wire(6, 4, 8, 4)
wire(8, 4, 8, 0)
wire(8, 0, 6, 0)

# Battery (long and short plates)
ax.plot([-0.5, 0.5], [2.15, 2.15], color='black', linewidth=3)
ax.plot([-0.25, 0.25], [1.85, 1.85], color='black', linewidth=5)
wire(0, 1.6, 0, 1.85)
wire(0, 2.15, 0, 2.4)
ax.text(-0.7, 2.0, 'ε = 12 V', ha='right', va='center', fontsize=11)
ax.text(0.6, 2.25, '+', fontsize=12)
ax.text(0.4, 1.6, '−', fontsize=12)

resistor_h(3, 4, 'R₁ = 5 Ω')
resistor_v(6, 2, 'R₂ = 10 Ω')
resistor_v(8, 2, 'R₃ = 10 Ω')

# Junction dots
for p in [(6, 4), (6, 0)]:
    ax.plot(*p, 'ko', markersize=6)

# Current arrow
ax.annotate('', xy=(2.0, 4.0), xytext=(1.0, 4.0),
            arrowprops=dict(arrowstyle='->', color='red', lw=2))
ax.text(1.5, 4.25, 'I', color='red', fontsize=12)

ax.set_xlim(-2.5, 10)
ax.set_ylim(-1, 5)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Series-Parallel Circuit')
plt.show()
