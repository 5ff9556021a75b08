import matplotlib.pyplot as plt

# Monohybrid cross Aa × Aa (A = purple flowers, dominant; a = white flowers).
fig, ax = plt.subplots(figsize=(6, 5))
ax.axis('off')

cells = [['', 'A', 'a'],
         ['A', 'AA', 'Aa'],
         ['a', 'Aa', 'aa']]
header = '#fff2cc'
dominant = '#b4a7d6'
colors = [['white', header, header],
          [header, dominant, dominant],
          [header, dominant, 'white']]
table = ax.table(cellText=cells, cellColours=colors, cellLoc='center', loc='center',
                 colWidths=[0.22, 0.3, 0.3])
table.auto_set_font_size(False)
table.set_fontsize(16)
table.scale(1, 3.5)
table[0, 0].set_edgecolor('white')

ax.set_title('Punnett Square: Aa × Aa', fontsize=14, pad=20)
ax.text(0.5, 0.93, 'Father (Aa) gametes →', ha='center', transform=ax.transAxes, fontsize=11)
ax.text(0.08, 0.5, 'Mother (Aa)\ngametes ↓', ha='right', va='center', transform=ax.transAxes, fontsize=11)
ax.text(0.5, 0.02, 'Genotype ratio 1 AA : 2 Aa : 1 aa\nPhenotype ratio 3 purple : 1 white',
        ha='center', transform=ax.transAxes, fontsize=11)
plt.savefig('punnett_square.png', dpi=150, bbox_inches='tight')
