import numpy as np
import matplotlib.pyplot as plt

# Graph y = 2^x and its inverse y = log2(x); they are reflections in y = x.
x1 = np.linspace(-3, 3, 200)
x2 = np.linspace(0.05, 8, 300)

fig, ax = plt.subplots(figsize=(6, 6))
ax.plot(x1, 2 ** x1, 'b-', lw=2, label=r'$y = 2^x$')
ax.plot(x2, np.log2(x2), 'r-', lw=2, label=r'$y = \log_2 x$')
ax.plot([-3, 8], [-3, 8], 'k--', lw=1, label='y = x')

for (px, py), c in [((0, 1), 'b'), ((1, 2), 'b'), ((2, 4), 'b'), ((1, 0), 'r'), ((2, 1), 'r'), ((4, 2), 'r')]:
    ax.plot(px, py, 'o', color=c)
    ax.annotate(f'({px}, {py})', (px, py), xytext=(6, -12 if c == 'r' else 4),
                textcoords='offset points', color=c, fontsize=10)
ax.plot([2, 4], [4, 2], ':', color='gray')

ax.axhline(0, color='k', lw=0.8)
ax.axvline(0, color='k', lw=0.8)
ax.set_xlim(-3, 8)
ax.set_ylim(-3, 8)
ax.set_aspect('equal')
ax.grid(alpha=0.3)
ax.legend(loc='lower right')
ax.set_title('Exponential and Logarithmic Functions')
fig.savefig('output.png', dpi=100)
