import matplotlib.pyplot as plt
from math import comb

# Pascal's triangle up to row n = 9. Highlight C(9, 4) = 126 and the two entries that add to it.
n_rows = 10
fig, ax = plt.subplots(figsize=(9, 7))
for n in range(n_rows):
    for k in range(n + 1):
        x = k - n / 2
        y = -n
        val = comb(n, k)
        if (n, k) == (9, 4):
            fc = '#e06666'
        elif (n, k) in [(8, 3), (8, 4)]:
            fc = '#f6b26b'
        else:
            fc = '#cfe2f3' if val % 2 else '#ffffff'
        circ = plt.Circle((x, y), 0.42, fc=fc, ec='#3d85c6', lw=1)
        ax.add_patch(circ)
        ax.text(x, y, str(val), ha='center', va='center', fontsize=9 if val < 100 else 8)
    ax.text(-6.2, -n, f'n = {n}', va='center', fontsize=9, color='gray')

ax.annotate('C(8, 3) + C(8, 4) = 56 + 70 = 126 = C(9, 4)', xy=(-0.5, -9), xytext=(-5.5, -11.0),
            arrowprops=dict(arrowstyle='->'), fontsize=11)
ax.set_xlim(-6.8, 5.5)
ax.set_ylim(-11.6, 0.8)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title("Pascal's Triangle")
plt.savefig('pascal.png', dpi=100)
