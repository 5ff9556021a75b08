import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches


def point_on_circle(r, deg):
    return np.array([r * np.cos(np.radians(deg)), r * np.sin(np.radians(deg))])


def main():
    # Points A, B, C lie on a circle with centre O. The inscribed angle ACB = 35°.
    # Show that the central angle AOB = 70°.
    r = 4
    A = point_on_circle(r, -35)
    B = point_on_circle(r, 35)
    C = point_on_circle(r, 180)
    O = np.array([0, 0])

    fig, ax = plt.subplots(figsize=(6, 6))
    ax.add_patch(patches.Circle(O, r, fill=False, lw=2))
    ax.plot([C[0], A[0]], [C[1], A[1]], 'b-', lw=1.8)
    ax.plot([C[0], B[0]], [C[1], B[1]], 'b-', lw=1.8)
    ax.plot([O[0], A[0]], [O[1], A[1]], 'r-', lw=1.8)
    ax.plot([O[0], B[0]], [O[1], B[1]], 'r-', lw=1.8)

    for P, name, off in [(A, 'A', (0.2, -0.3)), (B, 'B', (0.2, 0.1)), (C, 'C', (-0.45, 0)), (O, 'O', (-0.35, -0.35))]:
        ax.plot(*P, 'ko')
        ax.text(P[0] + off[0], P[1] + off[1], name, fontsize=14)

    ax.add_patch(patches.Arc(C, 2.4, 2.4, theta1=-17.5, theta2=17.5, color='blue'))
    ax.text(C[0] + 1.35, -0.2, '35°', color='blue', fontsize=12)
    ax.add_patch(patches.Arc(O, 1.4, 1.4, theta1=-35, theta2=35, color='red'))
    ax.text(0.8, -0.2, '70°', color='red', fontsize=12)

    ax.set_xlim(-5, 5)
    ax.set_ylim(-5, 5)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title('Inscribed Angle Theorem')
    plt.show()


if __name__ == '__main__':
    main()
