# plots/timeseries.gp — reservation and task counts over time for one run.
#   gnuplot -e "dir='results/default'" plots/timeseries.gp   → results/default/timeseries.png
if (!exists("dir")) dir = 'results/default'
set datafile separator ','
set terminal pngcairo size 1000,600 noenhanced
set output dir.'/timeseries.png'
set key autotitle columnhead outside bottom center horizontal
set xlabel 'simulated time (s)'
set ylabel 'reserved (%)'
set y2label 'tasks'
set ytics nomirror
set y2tics
set yrange [0:100]
set grid
set title 'ecsim: '.dir
plot dir.'/timeseries.csv' using 1:5 with lines lw 2 title 'CPU reserved %', \
     ''                     using 1:6 with lines lw 2 title 'memory reserved %', \
     ''                     using 1:7 axes x1y2 with steps title 'tasks running', \
     ''                     using 1:8 axes x1y2 with steps title 'tasks pending'
