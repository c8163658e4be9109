import type { Point2, Survey } from "./survey";

/**
 * The corners of a square loop of side `side` m centred on the origin, counter-clockwise from
 * (-side/2, -side/2).
 */
export function squareLoopPoints(side: number): Point2[] {
  const a = side / 2;
  return [
    [-a, -a],
    [a, -a],
    [a, a],
    [-a, a],
  ];
}

/**
 * The central-loop layout: a square loop of side `side` m centred on the origin carrying 1 A
 * (squareLoopPoints), dBz/dt at its centre, at `times` (s).
 */
export function centralLoopSurvey(side: number, times: number[]): Survey {
  return {
    source: { type: "loop", points: squareLoopPoints(side), current: 1 },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times,
  };
}

/**
 * The broadside grounded-wire layout: a wire of `length` m along x centred on the origin carrying
 * 1 A, Ex at (0, `offset`) m, at `times` (s).
 */
export function broadsideWireSurvey(length: number, offset: number, times: number[]): Survey {
  return {
    source: {
      type: "wire",
      points: [
        [-length / 2, 0],
        [length / 2, 0],
      ],
      current: 1,
    },
    receiver: { type: "point", position: [0, offset], component: "Ex" },
    times,
  };
}
