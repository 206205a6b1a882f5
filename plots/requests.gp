# plots/requests.gp — a run's requests through its load balancers (drawn by
# `ecsim plot DIR` when DIR has requests.csv): requests/s arriving and
# served, error rate (502 + 503 + 504 as % of arrivals) and p99 latency,
# per target group, each metrics interval's value held over it; fault windows shaded as in run.gp.
# Variables as for run.gp, plus
#   ntg, tg_names   target groups (space-separated names), and $tg1..$tgN
#                   their rows: time_s,arrivals/s,served/s,error %,p99 ms
set datafile separator ','
set xrange [0:xmax]
set grid xtics ytics lc rgb '#dddddd'
set key at screen 0.785, graph 1 left top vertical Left reverse noenhanced samplen 2 spacing 1.1
set border 3
set xtics nomirror
set ytics nomirror
set tics out
tg_colors = '1f77b4 d62728 2ca02c 9467bd ff7f0e 8c564b e377c2 17becf'
tgc(i) = word(tg_colors, (i - 1) % 8 + 1)

npanel = 3
H = 260 * npanel + 60
ptop(i) = 1.0 - (40.0 + 260 * (i - 1) + 30) / H
pbot(i) = 1.0 - (40.0 + 260 * i - 48) / H
set lmargin at screen 0.07
set rmargin at screen 0.77
ptitle(t) = sprintf("set label 999 '%s' at graph 0, graph 1 offset 0, 0.9 left font 'DejaVu Sans Bold,10'", t)
panel(i) = sprintf('set tmargin at screen %f; set bmargin at screen %f', ptop(i), pbot(i))

do for [fmt = 1:2] {
    if (fmt == 1) {
        set terminal pngcairo size 1200, H font 'DejaVu Sans,10' noenhanced
        set output out.'.png'
    } else {
        set terminal svg size 1200, H font 'DejaVu Sans,10' noenhanced
        set output out.'.svg'
    }
    set multiplot title ttl.' — requests' font ',13'

    # 1. requests/s: arrivals (pale, wide) and served (line)
    eval panel(1)
    eval fault_labels
    eval ptitle('Requests per second, per target group: arrivals (pale band) and served (line)')
    set ylabel 'requests/s'
    set yrange [0:*]
    set format x '%g'
    set xlabel ''
    plot for [i = 1:ntg] sprintf('$tg%d', i) using ($1/tscale):2 \
             with lines lw 7 lc rgb '#A0'.tgc(i) title word(tg_names, i).' arrivals', \
         for [i = 1:ntg] sprintf('$tg%d', i) using ($1/tscale):3 \
             with lines lw 1.8 lc rgb '#'.tgc(i) title word(tg_names, i).' served' @fault_key
    unset label

    # 2. error rate
    eval panel(2)
    eval ptitle('Error rate: 502 + 503 + 504 responses as % of the arrivals in the interval')
    set ylabel '% of arrivals'
    set yrange [0:*]
    plot for [i = 1:ntg] sprintf('$tg%d', i) using ($1/tscale):4 \
             with lines lw 2 lc rgb '#'.tgc(i) title word(tg_names, i).' errors'

    # 3. p99 latency
    eval panel(3)
    eval ptitle('Latency of served requests: 99th percentile in the interval')
    set ylabel 'ms'
    set yrange [0:*]
    set xlabel 'simulated time ('.tunit.')'
    plot for [i = 1:ntg] sprintf('$tg%d', i) using ($1/tscale):5 \
             with lines lw 2 lc rgb '#'.tgc(i) title word(tg_names, i).' p99'
    unset multiplot
    set output
}
