// Weekly trend charts on /stats, drawn with the vendored Chart.js from the JSON the page embeds.
(function () {
  "use strict";
  var source = document.getElementById("stats-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0b6e4f", "#c2410c", "#1d4ed8", "#a21caf", "#a16207", "#475569"];

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1d2430";

  function draw(canvasId, field, options) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.weeks,
        datasets: data.series.map(function (series, index) {
          var colour = palette[index % palette.length];
          return {
            label: series.name,
            data: series[field],
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: 2,
            pointRadius: 2,
            tension: 0,
            spanGaps: false,
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { left: 8, right: 8 } },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", rtl: data.rtl, textDirection: data.rtl ? "rtl" : "ltr",
                    labels: { boxWidth: 12 } },
          tooltip: { rtl: data.rtl, textDirection: data.rtl ? "rtl" : "ltr",
                     callbacks: options.tooltip ? { label: options.tooltip } : {} },
        },
        scales: {
          x: { reverse: data.rtl, title: { display: true, text: data.labels.week },
             ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: Object.assign({ beginAtZero: true, position: data.rtl ? "right" : "left" },
                           options.y || {}),
        },
      },
    });
  }

  draw("chart-received", "received", { y: { ticks: { precision: 0 } } });
  draw("chart-within-sla", "within_sla", {
    y: { max: 100, ticks: { callback: function (value) { return value + "%"; } } },
    tooltip: function (item) {
      var value = item.raw === null ? "—" : item.raw + "%";
      return item.dataset.label + ": " + value;
    },
  });
})();
