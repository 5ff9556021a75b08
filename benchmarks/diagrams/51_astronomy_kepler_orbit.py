import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches


def main():
    # A comet orbits the Sun on an ellipse with semi-major axis a = 1.5 AU and eccentricity e = 0.4.
    # Mark perihelion and aphelion distances and show equal areas in equal times.
    a, e = 1.5, 0.4
    b = a * np.sqrt(1 - e ** 2)
    c = a * e
    r_peri = a * (1 - e)
    r_aph = a * (1 + e)

    fig, ax = plt.subplots(figsize=(9, 6))
    ax.add_patch(patches.Ellipse((0, 0), 2 * a, 2 * b, fill=False, lw=2, ec='navy'))
    sun = (c, 0)
    ax.add_patch(patches.Circle(sun, 0.08, color='gold', ec='orange', zorder=3))
    ax.text(c, -0.2, 'Sun (focus)', ha='center', fontsize=10)
    ax.plot(-c, 0, 'kx')
    ax.text(-c, -0.2, 'empty focus', ha='center', fontsize=9, color='gray')
    ax.plot([-a, a], [0, 0], 'k:', lw=1)

    # equal areas: two sectors swept in equal time
    def pos(E):
        return np.array([a * np.cos(E), b * np.sin(E)])

    def sector(E1, E2, color):
        Es = np.linspace(E1, E2, 40)
        pts = np.vstack([sun, np.array([pos(E) for E in Es]), sun])
        ax.fill(pts[:, 0], pts[:, 1], color=color, alpha=0.35)

    # mean anomaly M = E − e sinE, pick equal ΔM near perihelion and aphelion
    def E_of_M(M):
        E = M
        for _ in range(30):
            E = M + e * np.sin(E)
        return E

    dM = 0.35
    sector(E_of_M(-dM / 2), E_of_M(dM / 2), 'tomato')
    sector(E_of_M(np.pi - dM / 2), E_of_M(np.pi + dM / 2), 'tomato')
    ax.text(1.25, 0.55, 'A₁', fontsize=12)
    ax.text(-1.6, 0.35, 'A₂', fontsize=12)
    ax.text(-2.3, -1.35, 'A₁ = A₂ (equal times Δt)', fontsize=10)

    ax.plot(a, 0, 'ko')
    ax.plot(-a, 0, 'ko')
    ax.annotate('', xy=(a, -0.45), xytext=(c, -0.45), arrowprops=dict(arrowstyle='<->', color='red'))
    ax.text((a + c) / 2, -0.62, f'r_p = {r_peri:.1f} AU', ha='center', color='red', fontsize=10)
    ax.annotate('', xy=(-a, -0.45), xytext=(c, -0.45), arrowprops=dict(arrowstyle='<->', color='blue'))
    ax.text(-0.4, -0.62, f'r_a = {r_aph:.1f} AU', ha='center', color='blue', fontsize=10)
    ax.text(a + 0.05, 0.08, 'Perihelion', fontsize=10)
    ax.text(-a - 0.05, 0.08, 'Aphelion', fontsize=10, ha='right')
    ax.annotate('', xy=(a, 1.3), xytext=(0, 1.3), arrowprops=dict(arrowstyle='<->'))
    ax.text(a / 2, 1.4, 'a = 1.5 AU', ha='center')
    ax.text(0.9, -1.35, 'e = 0.4', fontsize=12)

    ax.set_xlim(-2.4, 2.2)
    ax.set_ylim(-1.6, 1.6)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title("Kepler's Laws: Elliptical Orbit")
    plt.savefig('orbit.png', dpi=150, bbox_inches='tight')


if __name__ == "__main__":
    main()
