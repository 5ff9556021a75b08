import matplotlib.pyplot as plt
import matplotlib.patches as patches

# Element X has atomic number Z = 17. Locate it in the periodic table (periods 1-4)
# and state its group and period.
symbols = ['H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S',
           'Cl', 'Ar', 'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga',
           'Ge', 'As', 'Se', 'Br', 'Kr']


def position(z):
    """Return (group, period) for Z = 1..36."""
    if z == 1:
        return 1, 1
    if z == 2:
        return 18, 1
    if z <= 10:
        g = z - 2
        return (g if g <= 2 else g + 10), 2
    if z <= 18:
        g = z - 10
        return (g if g <= 2 else g + 10), 3
    return z - 18, 4


category = {}
for z in range(1, 37):
    g, p = position(z)
    if g == 1 and z != 1:
        category[z] = '#ff9999'   # alkali metals
    elif g == 2:
        category[z] = '#ffdead'   # alkaline earth
    elif 3 <= g <= 12:
        category[z] = '#ffc0cb'   # transition metals
    elif g == 17:
        category[z] = '#ffff99'   # halogens
    elif g == 18:
        category[z] = '#c0ffff'   # noble gases
    else:
        category[z] = '#e0e0e0'

plt.rcParams['font.size'] = 9
fig, ax = plt.subplots(figsize=(10, 4.5))
target = 17
for z in range(1, 37):
    g, p = position(z)
    x, y = g - 1, 4 - p
    lw = 3 if z == target else 0.8
    ec = 'red' if z == target else 'black'
    ax.add_patch(patches.Rectangle((x, y), 0.95, 0.95, fc=category[z], ec=ec, lw=lw))
    ax.text(x + 0.08, y + 0.75, str(z), fontsize=7)
    ax.text(x + 0.475, y + 0.35, symbols[z - 1], ha='center', va='center', fontsize=11, fontweight='bold')

for g in range(1, 19):
    ax.text(g - 1 + 0.475, 4.1, str(g), ha='center', fontsize=8, color='gray')
for p in range(1, 5):
    ax.text(-0.3, 4 - p + 0.475, str(p), ha='center', va='center', fontsize=8, color='gray')

ax.annotate('Z = 17: chlorine (Cl)\nGroup 17, Period 3\nElectron config. 2,8,7', xy=(16.5, 1.5),
            xytext=(5.0, 2.4), fontsize=10, color='red',
            arrowprops=dict(arrowstyle='->', color='red', lw=1.5))

ax.set_xlim(-0.6, 18.2)
ax.set_ylim(-0.2, 4.4)
ax.set_aspect('equal')
ax.axis('off')
ax.set_title('Periodic Table (Periods 1–4)', fontsize=13)
plt.savefig('periodic_table.png', dpi=150, bbox_inches='tight')
