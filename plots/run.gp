# plots/run.gp — one run on one page, for a report: reservation and
# instances in use, instances, tasks running and pending, each service's
# running vs desired count; fault windows (failures.csv) shaded in every
# panel and, when few, labelled in the first.  Drawn by `ecsim plot DIR`,
# which sets before loading this script:
#   dir, out        the results folder; output path without extension
#   ttl             "scenario — strategy S — seed N"
#   tscale, tunit   seconds per unit of the x axis, and its name (s, min, h)
#   xmax            the run's length in those units
#   nsvc, svc_names services in services.csv (space-separated names), and
#                   $svc1..$svcN their rows: time_s,desired,running
#   fault_labels    gnuplot commands setting the fault labels (first panel)
#   fault_key       keyentry items naming the fault kinds, for the legend
# plus the fault windows themselves (set object / set arrow).
set datafile separator ','
ts = dir.'/timeseries.csv'
npanel = nsvc > 0 ? 4 : 3
set xrange [0:xmax]
set grid xtics ytics lc rgb '#dddddd'
set key at screen 0.785, graph 1 left top vertical Left reverse noenhanced samplen 2 spacing 1.1
set border 3
set xtics nomirror
set ytics nomirror
set tics out
svc_colors = '1f77b4 d62728 2ca02c 9467bd ff7f0e 8c564b e377c2 17becf'

# one page, two formats
# panel i (1 = top) in pixels: 40 for the page title, then 260 per panel
# (title above, tick labels below), 60 more under the last for the x label
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
    set multiplot title ttl font ',13'

    # 1. reservation and instances in use (%)
    eval panel(1)
    eval fault_labels
    eval ptitle('Reservation and use (% of the CPU / memory / instances of ACTIVE and DRAINING instances)')
    set ylabel '%'
    set yrange [0:100]
    set ytics 0, 25, 100
    set format x '%g'
    set xlabel ''
    unset title
    plot ts using ($1/tscale):5 with lines lw 2 lc rgb '#1f77b4' title 'CPU reserved', \
         ''  using ($1/tscale):6 with lines lw 2 lc rgb '#2ca02c' title 'memory reserved', \
         ''  using ($1/tscale):($3 > 0 ? 100.0 * $4 / $3 : NaN) with lines lw 1.5 dt 2 lc rgb '#7f7f7f' \
             title 'instances in use' @fault_key
    unset label

    # 2. instances
    eval panel(2)
    eval ptitle('Instances')
    set ylabel 'instances'
    set yrange [0:*]
    set ytics autofreq
    plot ts using ($1/tscale):3 with steps lw 2 lc rgb '#1f77b4' title 'registered', \
         ''  using ($1/tscale):2 with steps lw 1.5 dt 2 lc rgb '#17becf' title 'ACTIVE', \
         ''  using ($1/tscale):4 with steps lw 2 lc rgb '#ff7f0e' title 'in use (≥ 1 task)'

    # 3. tasks
    eval panel(3)
    eval ptitle('Tasks')
    set ylabel 'tasks'
    if (nsvc == 0) { set xlabel 'simulated time ('.tunit.')' }
    plot ts using ($1/tscale):7 with steps lw 2 lc rgb '#2ca02c' title 'running', \
         ''  using ($1/tscale):8 with steps lw 2 lc rgb '#d62728' title 'pending'

    # 4. services: desired as a wide pale band, running as a line on it
    #    (same colour per service), so running below desired shows
    if (nsvc > 0) {
        eval panel(4)
        eval ptitle('Services: running (line) vs desired (pale band)')
        set ylabel 'tasks'
        set xlabel 'simulated time ('.tunit.')'
        plot for [i = 1:nsvc] sprintf('$svc%d', i) using ($1/tscale):2 \
                 with steps lw 7 lc rgb '#A0'.word(svc_colors, (i - 1) % 8 + 1) title word(svc_names, i).' desired', \
             for [i = 1:nsvc] sprintf('$svc%d', i) using ($1/tscale):3 \
                 with steps lw 1.8 lc rgb '#'.word(svc_colors, (i - 1) % 8 + 1) title word(svc_names, i).' running'
    }
    unset multiplot
    set output
}
