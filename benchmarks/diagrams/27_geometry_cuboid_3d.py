import numpy as np
import matplotlib.pyplot as plt
from itertools import product, combinations

# A cuboid has length 4 cm, width 3 cm and height 2 cm. Find the space diagonal AG.
l, w, h = 4, 3, 2
diag = np.sqrt(l ** 2 + w ** 2 + h ** 2)

fig = plt.figure(figsize=(7, 6))
ax = fig.add_subplot(projection='3d')

corners = np.array(list(product([0, l], [0, w], [0, h])))
for p, q in combinations(corners, 2):
    if np.sum(p != q) == 1:
        hidden = (p[1] == w and q[1] == w and (p[2] == 0 or q[2] == 0) and p[0] == 0 and q[0] == 0)
        ax.plot(*zip(p, q), color='black', lw=1.5, ls='--' if hidden else '-')

A = np.array([0, 0, 0])
G = np.array([l, w, h])
ax.plot(*zip(A, G), color='red', lw=2.5)
ax.scatter(*zip(A, G), color='red', s=30)
ax.text(*(A - 0.3), 'A', fontsize=13)
ax.text(*(G + 0.15), 'G', fontsize=13)

ax.text(l / 2, -0.6, 0, 'l = 4 cm', fontsize=11)
ax.text(l + 0.3, w / 2, 0, 'w = 3 cm', fontsize=11)
ax.text(l + 0.2, 0, h / 2, 'h = 2 cm', fontsize=11)
ax.text(l / 2, w / 2, h / 2 + 0.4, f'AG = √29 ≈ {diag:.2f} cm', color='red', fontsize=11)

ax.set_box_aspect((l, w, h))
ax.set_axis_off()
ax.view_init(elev=20, azim=-55)
ax.set_title('Cuboid and its Space Diagonal')
plt.savefig('cuboid.png', dpi=150, bbox_inches='tight')
