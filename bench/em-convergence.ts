/**
 * Random surveys of the kinds the reference cases do not cover (bent and oblique wires of 1-3
 * segments, Ex/Ey/dBz/dt points and MN dipoles anywhere, rectangular loops listed either way with
 * receivers inside or outside, ramps and 3-285 Hz bipolar repetitions, frequency outputs) on the
 * reference cases' earth models: each setting's worst error (the reference README's metric)
 * against a converged setting of the same engine.
 *
 *   npx tsx bench/em-convergence.ts [--seeds 1,2,3] [--n 50] [--options '{"hankel": "key_51_2012"}']
 */
import * as fs from "fs";
import * as path from "path";
import { compileSurvey, forward, parseEarthModel, referenceError } from "../src/em";
const argv = process.argv.slice(2);
const arg = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const metric = referenceError;
for (const seed of arg("--seeds", "1,2,3").split(",").map(Number)) {
let s = seed;
const rnd = () => { s = (s*1103515245+12345) % 2147483648; return s/2147483648; };
const dir = path.join(__dirname, "..", "test", "fixtures", "tem-reference") + "/";
const ref = (n:string)=>JSON.parse(fs.readFileSync(dir+n+".json","utf8"));
const models = ["h3_ip_top_wire","h3_ip_middle_wire","h3_ip_bottom_wire","l10_ip2_wire","h3_ip_loop_central","permafrost_loop_ramp","hs_wire_broadside"].map(n=>ref(n).model);
const wireT = ref("h3_ip_top_wire").times, loopT = ref("h3_ip_loop_central").times, permT = ref("permafrost_loop_ramp").times, F=ref("l10_ip2_wire").frequencies;
const A = {hankel:"wer_201_2018", fourier:"key_601_2009", quadPoints: 61, rampPoints: 48, gatePoints: 48, lagSubdivision: 4} as any;
const variant = argv.includes("--options") ? JSON.parse(arg("--options", "{}")) : undefined;
let worst = 0; const bad:string[]=[];
for (let k=0;k<Number(arg("--n", "50"));k++) {
  const isLoop = rnd()<0.45;
  let c:any;
  const mdl = models[Math.floor(rnd()*models.length)];
  if (isLoop) {
    const a = 25+rnd()*100, b = 25+rnd()*100; let pts=[[-a,-b],[a,-b],[a,b],[-a,b]]; if (rnd()<0.5) pts.reverse();
    const inside = rnd()<0.5; const pos = inside ? [(rnd()-0.5)*a, (rnd()-0.5)*b] : [(a+20+rnd()*200)*(rnd()<0.5?1:-1), (rnd()-0.5)*3*b];
    const comp = rnd()<0.8 ? "dBz/dt" : (rnd()<0.5?"Ex":"Ey");
    c = {source:{type:"loop",points:pts,current:1+rnd()*5}, receiver:{type:"point",position:pos,component:comp}};
    const r = rnd();
    if (r<0.2) c.frequencies = F; else if (r<0.5) c.times = loopT; else {
      const f = [3,7.5,30,75,285][Math.floor(rnd()*5)]; const sc = 285/f; const ramp = (2+rnd()*20)*1e-6*Math.sqrt(sc);
      c.times = permT.map((t:number)=>t*sc); c.waveform = {type:"linear_ramp_off", ramp};
      if (rnd()<0.6) c.waveform.repetition = {type:"bipolar_half_duty", base_frequency: f, pulses: Math.ceil(10+rnd()*100)};
    }
  } else {
    const nseg = 1+Math.floor(rnd()*3); const L = 500+rnd()*1000; const th = rnd()*Math.PI;
    const pts:any[]=[]; for (let i=0;i<=nseg;i++){ const u=-L/2+L*i/nseg; const off = (i>0&&i<nseg)? (rnd()-0.5)*300:0; pts.push([u*Math.cos(th)-off*Math.sin(th), u*Math.sin(th)+off*Math.cos(th)]); }
    const rr = 300+rnd()*1200, ph = rnd()*2*Math.PI; const pos=[rr*Math.cos(ph), rr*Math.sin(ph)];
    const r = rnd();
    const rx = r<0.2 ? {type:"dipole", points:[pos,[pos[0]+50+rnd()*100*Math.cos(ph+1), pos[1]+50*Math.sin(ph+1)]], component:"E"} : {type:"point",position:pos,component: rnd()<0.45?"Ex":(rnd()<0.8?"Ey":"dBz/dt")};
    c = {source:{type:"wire",points:pts,current:1+rnd()*10}, receiver:rx};
    const r2 = rnd(); if (r2<0.25) c.frequencies=F; else { c.times = wireT; if (r2<0.5) c.waveform={type:"linear_ramp_off", ramp: 1e-5+rnd()*2e-4}; if (r2<0.35) { c.times = wireT.filter((t:number)=>t<5e-3); c.waveform.repetition={type:"bipolar_half_duty", base_frequency: 25, pulses: 8}; } }
  }
  const m = parseEarthModel(mdl);
  const d = forward(compileSurvey(c, variant), m), a = forward(compileSurvey(c, A), m);
  const get=(r:any)=> r.time_off ? [r.time_off] : [r.freq.re, r.freq.im];
  let e=0, at=0; get(d).forEach((x:any,i:number)=>{ const q=metric(x, get(a)[i]); if (q.err>e){e=q.err;at=q.at;} });
  worst=Math.max(worst,e);
  const desc = `${k} ${c.source.type} ${c.receiver.type} ${c.receiver.component} ${c.frequencies?"freq":"time"} ${c.waveform?JSON.stringify(c.waveform):""} model ${models.indexOf(mdl)}`;
  if (e>5e-4) bad.push(`${e.toExponential(1)}@${at} ${desc}`);
}
console.log(`seed ${seed}: worst ${worst.toExponential(2)} over ${arg("--n", "50")} surveys`); if (bad.length) console.log(bad.join("\n"));
}
