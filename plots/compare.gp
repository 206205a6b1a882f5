# plots/compare.gp — the plots of `ecsim compare` (compiled into ecsim, which
# sets the variables below before this script; see cli/cmd_compare.c).
#   dir     the compare folder          nv, vnames  variants (names without blanks)
#   scenario   the scenario's name (titles)
#   reps    replications per variant    mode        'bars' or 'cdf'
#   dat     data file in dir            base        output name (base.png, base.svg)
#   metrics (bars) the metrics, one gnuplot index block each in dat
#   heading (bars) the figure's subtitle
#   zoom    (bars) 1: points with whiskers on a y-range fitted to them
# Bars: one panel per metric, a bar per variant with its 95% CI whisker.
# CDF: the pending time of placed tasks per variant (mean percentiles).
unit(m) = (strstrt(m, "_pct") > 0) ? "%" : ((strstrt(m, "_ms") > 0) ? "milliseconds" : ((strstrt(m, "_s") == strlen(m) - 1 || strstrt(m, "_s[") > 0) ? "seconds" : "count"))
colors = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf"
color(i) = word(colors, (i % 10) + 1)

do for [fmt in "png svg"] {
    if (mode eq 'bars') {
        n = words(metrics)
        cols = (n <= 2) ? n : ((n <= 4) ? 2 : 3)
        rows = int((n + cols - 1) / cols)
        w = 480 * cols; h = 330 * rows + 50
    } else {
        w = 900; h = 560
    }
    if (fmt eq 'png') {
        set terminal pngcairo size w, h font "sans,10" noenhanced
    } else {
        set terminal svg size w, h font "sans,10" noenhanced
    }
    set output sprintf("%s/%s.%s", dir, base, fmt)
    set datafile separator whitespace
    do for [k = 1:10] { set linetype k lc rgb color(k - 1) }
    if (mode eq 'bars') {
        set multiplot layout rows, cols title sprintf("%s: %s, %d replications per variant", \
            scenario, heading, reps) font "sans,12"
        set style fill solid 0.6 border -1
        set boxwidth 0.6
        set xrange [-0.6:nv - 0.4]
        if (nv > 2) { set xtics rotate by 25 right nomirror } else { set xtics norotate nomirror }
        set grid ytics
        unset key
        do for [i = 1:n] {
            m = word(metrics, i)
            set title m
            set ylabel unit(m)
            # the y-range covers every whisker (and 0, the base of the bars;
            # with zoom=1, as for availability near 100%, only the whiskers:
            # points instead of bars, whose height would then mislead)
            set autoscale y
            stats sprintf("%s/%s", dir, dat) index (i - 1) using 3 nooutput
            ylo = (STATS_min < 0 || zoom) ? STATS_min : 0
            stats sprintf("%s/%s", dir, dat) index (i - 1) using 4 nooutput
            yhi = STATS_max
            span = (yhi > ylo) ? yhi - ylo : ((yhi != 0) ? abs(yhi) * 0.02 : 1)
            set yrange [ylo - (zoom ? 0.15 * span : 0) : yhi + 0.15 * span]
            set xtics ()
            do for [v = 0:nv - 1] { set xtics add (word(vnames, v + 1) v) }
            if (zoom) {
                plot sprintf("%s/%s", dir, dat) index (i - 1) using 1:2:3:4:($1 + 1) \
                         with yerrorbars lc variable pt 7 ps 1.2 lw 2, \
                     '' index (i - 1) using 1:4:(sprintf("%.4g", $2)) with labels offset 0, 0.8
            } else {
                plot sprintf("%s/%s", dir, dat) index (i - 1) using 1:2:($1 + 1) \
                         with boxes lc variable, \
                     '' index (i - 1) using 1:2:3:4 with yerrorbars lc rgb "black" pt -1 lw 1.5, \
                     '' index (i - 1) using 1:4:(sprintf("%.4g", $2)) with labels offset 0, 0.8
            }
        }
        unset multiplot
    } else {
        set title sprintf("%s: pending time of placed tasks per variant (mean percentiles over %d replications)", scenario, reps)
        set xlabel "pending time (seconds, submitted -> placed)"
        set ylabel "share of tasks placed within (%)"
        set yrange [0:100]
        set xrange [0:*]
        set grid
        set key bottom right box opaque
        plot for [v = 1:nv] sprintf("%s/%s", dir, dat) index (v - 1) using 2:1 \
            with lines lw 2 lc rgb color(v - 1) title word(vnames, v)
    }
    unset output
    reset
}
