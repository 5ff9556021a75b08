import matplotlib.pyplot as plt
import matplotlib.patches as patches
import numpy as np


def draw_mass(ax, x, y, w, h, label, color):
    rect = patches.Rectangle((x - w / 2, y - h), w, h, facecolor=color,
                             edgecolor='black', linewidth=1.5)
    ax.add_patch(rect)
    ax.text(x, y - h / 2, label, ha='center', va='center', fontsize=11, fontweight='bold')


def main():
    # Atwood machine: m1 = 3 kg, m2 = 5 kg over a frictionless massless pulley
    m1, m2, g = 3.0, 5.0, 9.8
    a = (m2 - m1) * g / (m1 + m2)
    T = 2 * m1 * m2 * g / (m1 + m2)

    fig, ax = plt.subplots(figsize=(6, 7))

    # Ceiling
    ax.add_patch(patches.Rectangle((-2, 9), 4, 0.3, facecolor='gray', edgecolor='black'))
    for x in np.linspace(-1.9, 1.9, 14):
        ax.plot([x, x + 0.2], [9.3, 9.6], color='black', linewidth=0.8)

    # Support rod and pulley
    R = 0.8
    ax.plot([0, 0], [9, 8], color='black', linewidth=2)
    ax.add_patch(patches.Circle((0, 8), R, facecolor='lightgray', edgecolor='black', linewidth=2))
    ax.add_patch(patches.Circle((0, 8), 0.1, color='black'))

    # Rope
    ax.plot([-R, -R], [8, 4.5], color='saddlebrown', linewidth=2)
    ax.plot([R, R], [8, 3.0], color='saddlebrown', linewidth=2)
    theta = np.linspace(0, np.pi, 50)
    ax.plot(R * np.cos(theta), 8 + R * np.sin(theta), color='saddlebrown', linewidth=2)

    # Masses
    draw_mass(ax, -R, 4.5, 1.2, 1.0, 'm₁ = 3 kg', '#9fc5e8')
    draw_mass(ax, R, 3.0, 1.4, 1.3, 'm₂ = 5 kg', '#f4cccc')

    # Tension arrows
    ax.annotate('', xy=(-R, 5.5), xytext=(-R, 4.5),
                arrowprops=dict(arrowstyle='->', color='blue', lw=1.8))
    ax.text(-R - 0.15, 5.1, 'T', color='blue', fontsize=12, ha='right')
    ax.annotate('', xy=(R, 4.0), xytext=(R, 3.0),
                arrowprops=dict(arrowstyle='->', color='blue', lw=1.8))
    ax.text(R + 0.15, 3.6, 'T', color='blue', fontsize=12)

    # Acceleration arrows
    ax.annotate('', xy=(-2.0, 4.6), xytext=(-2.0, 3.6),
                arrowprops=dict(arrowstyle='->', color='darkgreen', lw=1.5))
    ax.text(-2.1, 4.1, 'a', color='darkgreen', fontsize=12, ha='right')
    ax.annotate('', xy=(2.0, 1.2), xytext=(2.0, 2.2),
                arrowprops=dict(arrowstyle='->', color='darkgreen', lw=1.5))
    ax.text(2.1, 1.7, 'a', color='darkgreen', fontsize=12)

    ax.text(0, 0.4, f'g = 9.8 m/s²   a = {a:.2f} m/s²   T = {T:.1f} N',
            ha='center', fontsize=10, bbox=dict(facecolor='white', edgecolor='gray'))

    ax.set_xlim(-3, 3)
    ax.set_ylim(0, 10)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title('Atwood Machine')
    fig.savefig('atwood_machine.png', dpi=120, bbox_inches='tight')


if __name__ == "__main__":
    main()
