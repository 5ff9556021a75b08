import matplotlib.pyplot as plt

# A car accelerates uniformly from rest to 20 m/s in 5 s. Find the distance travelled.
plt.figure(figsize=(6, 4))
plt.plot([0, 5], [0, 20], 'b-', linewidth=2)
plt.fill_between([0, 5], [0, 20], alpha=0.3)
plt.text(3.2, 5, 'distance = area\n= ½ × 5 s × 20 m/s = 50 m')
plt.xlabel('t (s)')
plt.ylabel('v (m/s)')
plt.title('Velocity-time graph, a = 4 m/s²')
plt.savefig('output.png')
