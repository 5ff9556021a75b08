import numpy as np
import matplotlib.pyplot as plt

# Free-fall experiment: time to fall from different heights. Show the data table and a plot
# of h against t² (slope = g/2).
h = np.array([0.20, 0.40, 0.60, 0.80, 1.00, 1.20])   # m
t = np.array([0.202, 0.286, 0.350, 0.404, 0.452, 0.495])  # s
t2 = t ** 2
g_est = 2 * np.polyfit(t2, h, 1)[0]

fig, (ax_t, ax_p) = plt.subplots(1, 2, figsize=(10, 4.5), gridspec_kw={'width_ratios': [1, 1.3]})
ax_t.axis('off')
rows = [[f'{hi:.2f}', f'{ti:.3f}', f'{t2i:.4f}'] for hi, ti, t2i in zip(h, t, t2)]
tab = ax_t.table(cellText=rows, colLabels=['h (m)', 't (s)', 't² (s²)'], loc='center', cellLoc='center',
                 colColours=['#cfe2f3'] * 3)
tab.auto_set_font_size(False)
tab.set_fontsize(11)
tab.scale(1.1, 1.8)
ax_t.set_title('Measured data', pad=12)

ax_p.plot(t2, h, 'ks', label='data')
xx = np.linspace(0, 0.26, 10)
ax_p.plot(xx, g_est / 2 * xx, 'b-', label=f'h = ½gt², g = {g_est:.2f} m/s²')
ax_p.set_xlabel('t² (s²)')
ax_p.set_ylabel('h (m)')
ax_p.set_xlim(0, 0.26)
ax_p.set_ylim(0, 1.3)
ax_p.grid(alpha=0.3)
ax_p.legend(loc='upper left')
ax_p.set_title('h versus t²')
plt.tight_layout()
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
