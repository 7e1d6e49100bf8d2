// The dashboard's plotly.js: the core (scatter, and the components: axes, legend, hover, annotations, shapes,
// range buttons, mode bar) plus the bar trace. Nothing else: every chart the page draws is scatter or bar
// (tests/PriceIntel.Dashboard.Tests checks that every trace type drawn is registered in this bundle).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/bar')]);

module.exports = Plotly;
