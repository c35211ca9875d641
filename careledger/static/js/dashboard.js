/* The assessment dashboard's charts (Apache ECharts, vendored): one per element with data-chart, drawn
   from the JSON the page carries in <script id="assessment-data" type="application/json">. The same
   numbers are in the tables under each chart; each chart downloads as PNG from its toolbox.
   No inline script or style: the page runs under a strict Content-Security-Policy. */
(function () {
  "use strict";

  var source = document.getElementById("assessment-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  // The canvas does not inherit CSS: give ECharts the page's own font stack (with Noto Sans CJK SC).
  var font = window.getComputedStyle(document.body).fontFamily;
  var COLORS = ["#1f5a8a", "#e0973a", "#2e8b6a", "#b3261e", "#7a5aa6", "#4f9fd6", "#8a6d3b", "#5d6b7b"];
  var RISK_COLORS = { low: "#2e8b6a", medium: "#e0973a", high: "#b3261e" };

  function title(el) {
    var card = el.closest("section");
    var heading = card ? card.querySelector("h2") : null;
    return (heading ? heading.textContent : "chart").trim();
  }

  function base(el) {
    return {
      animation: false,
      color: COLORS,
      textStyle: { fontFamily: font, fontSize: 12, color: "#1c2733" },
      // Rich-text tooltips are drawn on the canvas: HTML ones would carry inline styles the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      toolbox: {
        right: 8,
        feature: {
          saveAsImage: { title: labels.save, name: title(el), pixelRatio: 2, backgroundColor: "#ffffff" },
        },
      },
      // Clear of the toolbox's save icon at the top right.
      legend: { top: 4, left: 8, width: Math.max(el.clientWidth - 80, 120), type: "scroll", textStyle: { fontFamily: font } },
      grid: { left: 12, right: 24, top: 48, bottom: 12 },
    };
  }

  function unitAxis(el, units) {
    // Few units: labels side by side, each as wide as its slot; many: slanted, cut at 110 px.
    var slanted = units.length > 6;
    var slot = Math.floor((el.clientWidth - 60) / Math.max(units.length, 1)) - 8;
    return {
      type: "category",
      data: units,
      axisLabel: {
        interval: 0,
        rotate: slanted ? 30 : 0,
        fontFamily: font,
        width: slanted ? 110 : Math.max(slot, 48),
        overflow: slanted ? "truncate" : "break",
      },
    };
  }

  // How many bars fit side by side (28 px each); more units than that get a slider to scroll through.
  function fitting(el) {
    return Math.max(6, Math.floor((el.clientWidth - 60) / 28));
  }

  function zoom(el, option, units) {
    var shown = fitting(el);
    if (units.length > shown) {
      option.dataZoom = [
        { type: "slider", xAxisIndex: 0, startValue: 0, endValue: shown - 1, height: 16, bottom: 4 },
        { type: "inside", xAxisIndex: 0 },
      ];
      option.grid.bottom = 44;
    }
    return option;
  }

  function merge(target, extra) {
    Object.keys(extra).forEach(function (key) {
      target[key] = extra[key];
    });
    return target;
  }

  var builders = {
    trend: function (el) {
      var t = data.trend;
      var series = [
        { name: labels.openCases, type: "line", data: t.open, symbolSize: 7, lineStyle: { width: 3 }, color: COLORS[0] },
      ];
      ["high", "medium", "low"].forEach(function (level) {
        series.push({
          name: labels.risk[level] + labels.riskSuffix,
          type: "line",
          data: t.risk[level],
          symbolSize: 6,
          color: RISK_COLORS[level],
        });
      });
      return merge(base(el), {
        xAxis: { type: "category", data: t.semesters, boundaryGap: false, axisLabel: { fontFamily: font } },
        yAxis: { type: "value", minInterval: 1 },
        series: series,
      });
    },

    categories: function (el) {
      var series = data.categories.map(function (c, i) {
        return { name: c.label, type: "bar", stack: "cases", data: data.byCategory[i], barMaxWidth: 36 };
      });
      return zoom(
        el,
        merge(base(el), { xAxis: unitAxis(el, data.units), yAxis: { type: "value", minInterval: 1 }, series: series }),
        data.units
      );
    },

    heatmap: function (el) {
      var cells = [];
      var max = 0;
      data.categories.forEach(function (c, x) {
        data.units.forEach(function (u, y) {
          var n = data.byCategory[x][y];
          cells.push([x, y, n]);
          max = Math.max(max, n);
        });
      });
      var option = base(el);
      option.tooltip = { trigger: "item", renderMode: "richText" };
      delete option.legend;
      return merge(option, {
        grid: { left: 12, right: 24, top: 40, bottom: 12 },
        xAxis: {
          type: "category",
          data: data.categories.map(function (c) {
            return c.label;
          }),
          splitArea: { show: true },
          // Every category named, wrapped under its column on a narrow screen.
          axisLabel: { interval: 0, fontFamily: font, width: Math.max(36, (el.clientWidth - 170) / 7 - 4), overflow: "break" },
        },
        yAxis: {
          type: "category",
          data: data.units,
          inverse: true,
          splitArea: { show: true },
          axisLabel: { fontFamily: font, width: 130, overflow: "truncate" },
        },
        // Every cell carries its number: the colour scale needs no legend of its own.
        visualMap: { show: false, min: 0, max: Math.max(max, 1), inRange: { color: ["#f3f7fb", "#9cc3e4", "#1f5a8a"] } },
        series: [{ type: "heatmap", data: cells, label: { show: true, fontFamily: font }, emphasis: { itemStyle: { borderColor: "#173f61", borderWidth: 1 } } }],
      });
    },

    compliance: function (el) {
      var values = data.compliance.map(function (v) {
        return v === null ? null : Math.round(v * 1000) / 10;
      });
      var target = Math.round(data.target * 1000) / 10;
      var option = merge(base(el), {
        xAxis: unitAxis(el, data.units),
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          {
            name: labels.compliance,
            type: "bar",
            barMaxWidth: 36,
            data: values.map(function (v) {
              return { value: v, itemStyle: { color: v !== null && v < target ? "#e0973a" : "#1f5a8a" } };
            }),
            label: {
              show: data.units.length <= fitting(el),
              position: "top",
              fontFamily: font,
              formatter: function (p) {
                return p.value === null ? "" : p.value.toFixed(1) + "%";
              },
            },
            markLine: {
              symbol: "none",
              silent: true,
              lineStyle: { color: "#b3261e", type: "dashed", width: 2 },
              label: { formatter: labels.target + " " + target + "%", position: "insideEndTop", fontFamily: font },
              data: [{ yAxis: target }],
            },
          },
        ],
      });
      return zoom(el, option, data.units);
    },

    escalations: function (el) {
      return zoom(
        el,
        merge(base(el), {
          xAxis: unitAxis(el, data.escalationUnits),
          yAxis: { type: "value" }, // minutes: the legend says so
          series: [
            { name: labels.ack, type: "bar", data: data.ack, barMaxWidth: 28, color: "#1f5a8a" },
            { name: labels.resolve, type: "bar", data: data.resolve, barMaxWidth: 28, color: "#e0973a" },
          ],
        }),
        data.escalationUnits
      );
    },
  };

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")];
    if (!build) {
      return;
    }
    var height = el.getAttribute("data-height");
    if (height === "auto") {
      // The heat map: a row per unit.
      height = Math.max(240, 96 + 26 * data.units.length);
    }
    el.style.width = "100%";
    el.style.height = (parseInt(height, 10) || 320) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: data.locale });
    chart.setOption(build(el));
    charts.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    }, 150);
  });
})();
