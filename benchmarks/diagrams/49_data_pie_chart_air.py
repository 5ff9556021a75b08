import matplotlib.pyplot as plt

# Composition of dry air by volume: N2 78.08 %, O2 20.95 %, Ar 0.93 %, CO2 and others 0.04 %.
labels = ['Nitrogen (N₂)', 'Oxygen (O₂)', 'Argon (Ar)', 'CO₂ & others']
sizes = [78.08, 20.95, 0.93, 0.04]
colors = ['#6fa8dc', '#93c47d', '#ffd966', '#e06666']
explode = (0, 0.05, 0.15, 0.3)

fig, ax = plt.subplots(figsize=(7, 6))
wedges, texts, autotexts = ax.pie(sizes, explode=explode, labels=None, colors=colors,
                                  autopct=lambda p: f'{p:.2f}%' if p > 0.5 else '',
                                  startangle=90, pctdistance=0.75,
                                  wedgeprops=dict(edgecolor='white'))
ax.legend(wedges, [f'{l}: {s}%' for l, s in zip(labels, sizes)], loc='center left',
          bbox_to_anchor=(0.92, 0.5))
ax.set_title('Composition of Dry Air by Volume')
ax.axis('equal')
plt.tight_layout()
plt.show()
