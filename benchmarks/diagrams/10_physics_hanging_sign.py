import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# A sign of weight W = 200 N hangs from two cables that make angles of
# 40° and 55° with the horizontal ceiling. Find the tensions T1 and T2.
W = 200.0
a1, a2 = np.radians(40), np.radians(55)
T1 = W * np.cos(a2) / np.sin(a1 + a2)
T2 = W * np.cos(a1) / np.sin(a1 + a2)

fig, ax = plt.subplots(figsize=(8, 6))

# knot position and ceiling
knot = np.array([0.0, 0.0])
h = 3.0
left = knot + np.array([-h / np.tan(a1), h])
right = knot + np.array([h / np.tan(a2), h])
ax.add_patch(patches.Rectangle((left[0] - 0.5, h), right[0] - left[0] + 1.0, 0.3,
                               facecolor='lightgray', edgecolor='black', hatch='///'))

ax.plot([knot[0], left[0]], [knot[1], left[1]], 'k-', lw=2)
ax.plot([knot[0], right[0]], [knot[1], right[1]], 'k-', lw=2)
ax.plot([0, 0], [0, -1.0], 'k-', lw=2)
ax.plot(*knot, 'ko', markersize=6)

ax.add_patch(patches.FancyBboxPatch((-1.2, -2.2), 2.4, 1.2, boxstyle='round,pad=0.05',
                                    facecolor='#ffe599', edgecolor='black', lw=1.5))
ax.text(0, -1.6, 'OPEN', ha='center', va='center', fontsize=16, fontweight='bold')
ax.text(1.4, -1.6, 'W = 200 N', fontsize=12, va='center')

# angle arcs
ax.add_patch(patches.Arc(left, 1.6, 1.6, theta1=-40, theta2=0, color='blue'))
ax.text(left[0] + 0.9, left[1] - 0.35, '40°', color='blue', fontsize=12)
ax.add_patch(patches.Arc(right, 1.6, 1.6, theta1=180, theta2=235, color='blue'))
ax.text(right[0] - 1.25, right[1] - 0.4, '55°', color='blue', fontsize=12)

# tension vectors at the knot
s = 0.012
ax.annotate('', xy=(-T1 * s * np.cos(a1), T1 * s * np.sin(a1)), xytext=(0, 0),
            arrowprops=dict(arrowstyle='-|>', color='red', lw=2.5))
ax.annotate('', xy=(T2 * s * np.cos(a2), T2 * s * np.sin(a2)), xytext=(0, 0),
            arrowprops=dict(arrowstyle='-|>', color='red', lw=2.5))
ax.text(-T1 * s * np.cos(a1) - 0.1, T1 * s * np.sin(a1) + 0.15, 'T₁', color='red', fontsize=13, ha='right')
ax.text(T2 * s * np.cos(a2) + 0.1, T2 * s * np.sin(a2) + 0.15, 'T₂', color='red', fontsize=13)

ax.text(-4.5, -2.8, f'T₁ = {T1:.0f} N,  T₂ = {T2:.0f} N (equilibrium)', fontsize=10, color='dimgray')
ax.set_xlim(-5, 4)
ax.set_ylim(-3.2, 3.8)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Sign Suspended by Two Cables', fontsize=13)
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
