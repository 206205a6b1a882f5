# plots/sweep.gp — the plot of `ecsim sweep` (compiled into ecsim, which sets
# these variables first; see cli/cmd_sweep.c):
#   dir, title   the sweep folder and name      reps     replications per setting
#   xname        the swept parameter (x axis)   xnumeric 1: x values are numbers
#   xlabels      the x values (when not numeric, x is their index)
#   nlines, lnames  one line per combination of the other parameters
#   metrics      one panel each; plot_sweep.dat holds block (panel * nlines + line)
#                with rows "x mean ci95_low ci95_high"
# Each panel: the mean over replications with its 95% CI as a band.
unit(m) = (strstrt(m, "_pct") > 0) ? "%" : ((strstrt(m, "_ms") > 0) ? "milliseconds" : ((strstrt(m, "_s") == strlen(m) - 1 || strstrt(m, "_s[") > 0) ? "seconds" : "count"))
colors = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf"
color(i) = word(colors, (i % 10) + 1)
n = words(metrics)
cols = (n <= 1) ? 1 : 2
rows = int((n + cols - 1) / cols)
f = sprintf("%s/plot_sweep.dat", dir)

do for [fmt in "png svg"] {
    if (fmt eq 'png') {
        set terminal pngcairo size 560 * cols, 380 * rows + 40 font "sans,10" noenhanced
    } else {
        set terminal svg size 560 * cols, 380 * rows + 40 font "sans,10" noenhanced
    }
    set output sprintf("%s/sweep.%s", dir, fmt)
    set multiplot layout rows, cols title sprintf("%s: mean and 95%% CI over %d replications per setting", \
        title, reps) font "sans,12"
    set grid
    set style fill transparent solid 0.2 noborder
    set xlabel xname
    if (!xnumeric) {
        set xrange [-0.3 : words(xlabels) - 0.7]
        set xtics ()
        do for [k = 1:words(xlabels)] { set xtics add (word(xlabels, k) k - 1) }
    } else {
        set autoscale xfix
        set offsets graph 0.03, graph 0.03, 0, 0
        if (words(xlabels) <= 12) {
            set xtics ()
            do for [k = 1:words(xlabels)] { set xtics add (word(xlabels, k) real(word(xlabels, k))) }
        }
    }
    do for [i = 1:n] {
        m = word(metrics, i)
        set title m
        set ylabel unit(m)
        # y from 0 (every metric is >= 0) to above the highest band
        ymax = 0
        set autoscale y
        do for [l = 1:nlines] {
            stats f index ((i - 1) * nlines + l - 1) using 4 nooutput
            ymax = (STATS_max > ymax) ? STATS_max : ymax
        }
        set yrange [0 : (ymax > 0 ? ymax * 1.08 : 1)]
        # the legend sits under the panel, never over the data
        if (nlines == 1) { unset key } else { set key outside bottom center horizontal }
        plot for [l = 1:nlines] f index ((i - 1) * nlines + l - 1) using 1:3:4 \
                 with filledcurves lc rgb color(l - 1) notitle, \
             for [l = 1:nlines] f index ((i - 1) * nlines + l - 1) using 1:2 \
                 with linespoints lw 2 pt 7 ps 0.6 lc rgb color(l - 1) title word(lnames, l)
    }
    unset multiplot
    unset output
    reset
}
