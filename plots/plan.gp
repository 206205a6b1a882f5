# plots/plan.gp — the plot of `ecsim plan` (compiled into ecsim, which sets
# these variables first; see cli/cmd_plan.c):
#   dir, title   the plan folder and name       conf     confidence level (%)
#   xname        the plotted dimension (x axis) xnumeric 1: x values are numbers
#   xlabels      the listed values when not numeric (x is their index)
#   metrics      one panel per constraint metric; thresholds, ismin: its SLO
#                (1: metric >= threshold, 0: metric <= threshold)
#   chosen       x of the answer (-1: none)
# plot_plan.dat holds one block per metric: rows "x mean low high is_answer",
# low/high the one-sided bounds at the confidence level.
unit(m) = (strstrt(m, "_pct") > 0) ? "%" : ((strstrt(m, "_ms") > 0) ? "milliseconds" : ((strstrt(m, "_s") == strlen(m) - 1 || strstrt(m, "_s[") > 0) ? "seconds" : "count"))
n = words(metrics)
cols = (n <= 1) ? 1 : 2
rows = int((n + cols - 1) / cols)
f = sprintf("%s/plot_plan.dat", dir)

do for [fmt in "png svg"] {
    if (fmt eq 'png') {
        set terminal pngcairo size 560 * cols, 380 * rows + 40 font "sans,10" noenhanced
    } else {
        set terminal svg size 560 * cols, 380 * rows + 40 font "sans,10" noenhanced
    }
    set output sprintf("%s/plan.%s", dir, fmt)
    set multiplot layout rows, cols title sprintf("%s: mean and %g%% bounds per point", \
        title, conf) font "sans,12"
    set grid
    set xlabel xname
    set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
    if (!xnumeric) {
        set xtics ()
        do for [k = 1:words(xlabels)] { set xtics add (word(xlabels, k) k - 1) }
    }
    set key outside bottom center horizontal
    do for [i = 1:n] {
        m = word(metrics, i)
        thr = real(word(thresholds, i))
        set title m
        set ylabel unit(m)
        # a percentage floor near 100 (availability >= 99.9): zoom on the
        # band from 100 - 10 x (100 - SLO) to 100; points below it are off
        if (word(ismin, i) eq "1" && unit(m) eq "%" && thr > 90 && thr < 100) {
            set yrange [100 - 10 * (100 - thr) : 100 + (100 - thr)]
            set title sprintf("%s (points below %g off the plot)", m, 100 - 10 * (100 - thr))
        } else {
            set autoscale y
        }
        plot f index (i - 1) using 1:2:3:4 with yerrorbars lc rgb "#1f77b4" pt 7 ps 0.7 title "mean, bounds", \
             f index (i - 1) using 1:2 with lines lc rgb "#1f77b4" notitle, \
             thr with lines dt 2 lw 2 lc rgb "#d62728" title sprintf("SLO %s %g", (word(ismin, i) eq "1") ? ">=" : "<=", thr), \
             f index (i - 1) using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.5 lw 2 lc rgb "#2ca02c" title "answer"
    }
    unset multiplot
    unset output
    reset
}
