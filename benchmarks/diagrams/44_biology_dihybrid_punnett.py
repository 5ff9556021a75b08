import matplotlib.pyplot as plt
import matplotlib.patches as patches
from itertools import product


def genotype(g1, g2):
    """Combine two gametes like 'RY' and 'ry' into a sorted genotype 'RrYy'."""
    r = ''.join(sorted(g1[0] + g2[0]))
    y = ''.join(sorted(g1[1] + g2[1]))
    return r + y


def phenotype(gt):
    shape = 'round' if 'R' in gt[:2] else 'wrinkled'
    color = 'yellow' if 'Y' in gt[2:] else 'green'
    return shape, color


def main():
    # Dihybrid cross RrYy × RrYy (pea plants: R round, r wrinkled; Y yellow, y green).
    gametes = [a + b for a, b in product('Rr', 'Yy')]
    fill = {('round', 'yellow'): '#ffe599', ('round', 'green'): '#b6d7a8',
            ('wrinkled', 'yellow'): '#f9cb9c', ('wrinkled', 'green'): '#a2c4c9'}

    fig, ax = plt.subplots(figsize=(7, 7))
    counts = {}
    for i, g_row in enumerate(gametes):
        for j, g_col in enumerate(gametes):
            gt = genotype(g_row, g_col)
            ph = phenotype(gt)
            counts[ph] = counts.get(ph, 0) + 1
            ax.add_patch(patches.Rectangle((j + 1, 3 - i), 1, 1, fc=fill[ph], ec='black'))
            ax.text(j + 1.5, 3.5 - i, gt, ha='center', va='center', fontsize=11)
        ax.add_patch(patches.Rectangle((0, 3 - i), 1, 1, fc='#d9d9d9', ec='black'))
        ax.text(0.5, 3.5 - i, g_row, ha='center', va='center', fontsize=12, fontweight='bold')
    for j, g in enumerate(gametes):
        ax.add_patch(patches.Rectangle((j + 1, 4), 1, 1, fc='#d9d9d9', ec='black'))
        ax.text(j + 1.5, 4.5, g, ha='center', va='center', fontsize=12, fontweight='bold')
    ax.text(0.5, 4.5, '♀ \\ ♂', ha='center', va='center', fontsize=11)

    y0 = -0.4
    for k, ((shape, color), n) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1])):
        ax.add_patch(patches.Rectangle((0.2 + 1.3 * k, y0 - 0.5), 0.3, 0.3, fc=fill[(shape, color)], ec='black'))
        ax.text(0.6 + 1.3 * k, y0 - 0.35, f'{shape}\n{color}: {n}', va='center', fontsize=8)
    ax.text(2.5, y0 - 1.1, 'Phenotype ratio 9 : 3 : 3 : 1', ha='center', fontsize=12)

    ax.set_xlim(-0.2, 5.4)
    ax.set_ylim(-1.6, 5.2)
    ax.set_aspect('equal')
    ax.axis('off')
    ax.set_title('Dihybrid Cross RrYy × RrYy')
    plt.savefig('dihybrid.png', dpi=150, bbox_inches='tight')


if __name__ == '__main__':
    main()
