import numpy as np
import matplotlib.pyplot as plt

# Find the area under f(x) = x^2 between x = 1 and x = 3.
f = lambda x: x ** 2
a, b = 1, 3
area = (b ** 3 - a ** 3) / 3

x = np.linspace(0, 3.5, 300)
xf = np.linspace(a, b, 200)

plt.figure(figsize=(7, 5))
plt.plot(x, f(x), 'b-', lw=2, label='$f(x) = x^2$')
plt.fill_between(xf, f(xf), color='skyblue', alpha=0.6, label=f'Area = 26/3 ≈ {area:.2f}')
# Riemann rectangles for illustration
n = 8
edges = np.linspace(a, b, n + 1)
for xl, xr in zip(edges[:-1], edges[1:]):
    plt.bar(xl, f(xl), width=xr - xl, align='edge', fill=False, edgecolor='gray', lw=0.8)
plt.axvline(a, color='red', ls='--')
plt.axvline(b, color='red', ls='--')
plt.text(a, -0.9, 'x = 1', ha='center', color='red')
plt.text(b, -0.9, 'x = 3', ha='center', color='red')
plt.text(2, 2.0, r'$\int_1^3 x^2\,dx$', fontsize=16, ha='center')
plt.ylim(-1.5, 12.5)
plt.xlim(0, 3.5)
plt.xlabel('x')
plt.ylabel('y')
plt.legend(loc='upper left')
plt.title('Area Under a Curve')
plt.grid(alpha=0.3)
plt.savefig('integral_area.png', dpi=150)
