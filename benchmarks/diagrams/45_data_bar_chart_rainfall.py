import matplotlib.pyplot as plt
import numpy as np

# Monthly rainfall (mm) recorded at a weather station. Which month had the most rain?
months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
rain = [78, 62, 55, 41, 35, 18, 9, 14, 30, 58, 85, 92]

fig, ax = plt.subplots(figsize=(9, 5))
colors = ['#3d85c6' if r != max(rain) else '#cc0000' for r in rain]
bars = ax.bar(months, rain, color=colors, edgecolor='black')
for b, r in zip(bars, rain):
    ax.text(b.get_x() + b.get_width() / 2, r + 1.5, f'{r}', ha='center', fontsize=10)
mean = np.mean(rain)
ax.axhline(mean, color='gray', ls='--')
ax.text(11.6, mean + 2, f'mean = {mean:.1f} mm', ha='right', color='gray')
ax.set_ylabel('Rainfall (mm)')
ax.set_xlabel('Month')
ax.set_ylim(0, 105)
ax.set_title('Monthly Rainfall, total = %d mm' % sum(rain))
plt.tight_layout()
plt.savefig('rainfall.png', dpi=150)
